"""Every list endpoint answers a crafted cursor with a 400 in the envelope, for every role."""

from __future__ import annotations

import base64

import pytest

from tests.factories import World
from tests.support import api_list_paths

ENVELOPE = {"error_code", "message", "details", "timestamp", "request_id"}
ROLES = ("staff", "service", "catalog-service", "customer", "no-role", "anonymous")


LIST_PATHS = api_list_paths()


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


# Invalid whatever the ordering: each must be refused with a 400.
INVALID = {
    "not base64": "a",
    "not a query string": _cursor("\x00\xff"),
    "a reverse flag that is not 0 or 1": _cursor("r=yes"),
    "a NUL in the position": _cursor("p=%00"),
}
# Invalid for some orderings (text for an id, a time, a number out of range): never a server error.
CRAFTED = {
    "text position": _cursor("p=abc"),
    "time position": _cursor("p=2026-01-01T00:00:00"),
    "huge position": _cursor("p=99999999999999999999999999"),
    "negative position": _cursor("p=-99999999999999999999999999"),
    "huge offset": _cursor("o=99999999999999999999"),
    "negative offset": _cursor("o=-5"),
}


def test_every_list_endpoint_is_found() -> None:
    assert {"/api/v1/customers", "/api/v1/purchases", "/api/v1/products", "/api/v1/campaigns"} <= set(
        LIST_PATHS
    )


def test_a_text_position_for_a_numeric_ordering_names_the_cursor(world: World) -> None:
    response = world.clients["staff"].get("/api/v1/customers", {"cursor": "cD1hYmM="})  # p=abc

    assert response.status_code == 400
    assert response.json()["details"]["errors"] == [
        {"field": "cursor", "code": "invalid", "message": "This cursor was not made by this API."}
    ]


@pytest.mark.parametrize("path", LIST_PATHS)
def test_a_crafted_cursor_is_a_client_error_for_every_role(world: World, path: str) -> None:
    for role in ROLES:
        signed_in = world.clients[role].get(path).status_code == 200
        for name, cursor in {**INVALID, **CRAFTED}.items():
            response = world.clients[role].get(path, {"cursor": cursor})
            assert response.status_code < 500, (role, name, response.content)
            if signed_in and name in INVALID:
                assert response.status_code == 400, (role, name, response.content)
            if response.status_code >= 400:
                assert set(response.json()) == ENVELOPE
