from __future__ import annotations

import pytest

from tests.factories import World


def test_recommendations_say_how_they_were_made(world: World) -> None:
    body = world.clients["customer"].get("/api/v1/customers/ada-1/recommendations?limit=3").json()

    assert body["customer"] == "ada-1"
    assert (body["mode"], body["model_version"], body["degraded"]) == ("no_model", None, ["no_model"])
    assert len(body["items"]) <= 3
    assert all(item["reason"] for item in body["items"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=51", "limit"),
        ("strategy=magic", "strategy"),
        ("category=nope", "category"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters_are_refused_in_the_envelope(world: World, query: str, field: str) -> None:
    response = world.clients["staff"].get(f"/api/v1/customers/ada-1/recommendations?{query}")

    assert response.status_code == 400
    assert response.json()["error_code"] == "validation_error"
    assert field in str(response.json()["details"])
