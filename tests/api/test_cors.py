"""Frontends on the origins staff configure may call the API from a browser; no other origin
may, and nothing outside the API answers CORS at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example.com"


@pytest.fixture(autouse=True)
def shop_origin(settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = [SHOP]


def _preflight(path: str, origin: str) -> Any:
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-none-match",
    )


def test_a_configured_origin_may_ask_with_a_token_and_a_validator() -> None:
    response = _preflight("/api/v1/customers/ada-1/recommendations", SHOP)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "if-none-match", "content-type"} <= allowed
    assert "Access-Control-Allow-Credentials" not in response  # tokens travel in a header, not cookies


def test_its_answers_even_refusals_carry_the_headers_and_expose_what_a_client_reads() -> None:
    response = Client().get("/api/v1/customers", HTTP_ORIGIN=SHOP)

    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == SHOP
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Retry-After", "X-Request-ID"} <= exposed


@pytest.mark.parametrize("origin", ["https://evil.example.net", "https://shop.example.com.evil.net", "null"])
def test_another_origin_gets_no_permission(origin: str) -> None:
    response = _preflight("/api/v1/customers", origin)

    assert "Access-Control-Allow-Origin" not in response


def test_pages_outside_the_api_never_answer_cors() -> None:
    response = _preflight("/admin/login/", SHOP)

    assert "Access-Control-Allow-Origin" not in response
