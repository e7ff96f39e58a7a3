"""The one envelope on every kind of error, rate limits, mass assignment and metrics."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from catalog.models import Product
from customers.api import resources
from customers.models import Customer
from tests.factories import World

ADA = "/api/v1/customers/ada-1"
ENVELOPE = {"error_code", "message", "details", "timestamp", "request_id"}


def _envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == ENVELOPE
    assert body["error_code"] == code
    assert body["request_id"] == response["X-Request-ID"]
    return body


def test_each_error_kind_answers_the_envelope(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    staff = world.clients["staff"]

    _envelope(staff.patch(ADA, "{nope", content_type="application/json"), 400, "parse_error")
    _envelope(staff.patch(ADA, {"marketing_consent": "yes"}, format="json"), 400, "validation_error")
    _envelope(world.clients["anonymous"].get(ADA), 401, "not_authenticated")
    _envelope(world.clients["no-role"].get(ADA), 403, "permission_denied")
    _envelope(staff.get("/api/v1/customers/nobody"), 404, "not_found")
    _envelope(staff.delete(ADA), 405, "method_not_allowed")
    _envelope(staff.get(ADA, HTTP_ACCEPT="application/xml"), 406, "not_acceptable")
    _envelope(staff.patch(ADA, "name=x", content_type="application/x-www-form-urlencoded"), 415,
              "unsupported_media_type")  # fmt: skip

    def broken(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(resources, "customers_visible_to", broken)
    body = _envelope(staff.get(ADA), 500, "server_error")
    assert "secret" not in str(body)


def test_an_unknown_path_is_the_404_envelope_for_a_session_writing_without_a_csrf_token(db: None) -> None:
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(get_user_model().objects.create_user("staff", is_staff=True))

    _envelope(
        browser.post("/api/v1/messages/null,null/intent", {"intent": "x"}, format="json"), 404, "not_found"
    )
    _envelope(browser.delete("/api/v1/nothing-here"), 404, "not_found")


def test_429_with_retry_after_per_principal(world: World, settings: Any) -> None:
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "customer": "3/h"}
    ada = world.clients["customer"]

    statuses = [ada.get(ADA).status_code for _ in range(3)]
    limited = ada.get(ADA)

    assert statuses == [200, 200, 200]
    body = _envelope(limited, 429, "throttled")
    assert 1 <= int(limited["Retry-After"]) <= 3600
    assert body["message"]
    # another principal keeps its own budget
    assert world.clients["staff"].get(ADA).status_code == 200


def test_token_endpoint_is_limited_per_ip(world: World, settings: Any) -> None:
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "token": "2/h"}
    client = APIClient()
    attempts = [
        client.post("/api/v1/auth/token", {"username": "ada", "password": "guess"}, format="json").status_code
        for _ in range(3)
    ]

    assert attempts == [401, 401, 429]


def test_token_endpoint_is_limited_per_account_across_addresses(world: World, settings: Any) -> None:
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "account": "2/h"}

    def sign_in(address: str, username: str) -> int:
        client = APIClient(REMOTE_ADDR=address)
        return client.post(
            "/api/v1/auth/token", {"username": username, "password": "guess"}, format="json"
        ).status_code

    attempts = [sign_in(f"203.0.113.{n}", username) for n, username in enumerate(["ada", "ADA ", "Ada"])]

    assert attempts == [401, 401, 429]
    assert sign_in("203.0.113.9", "bob") == 401  # another account keeps its own budget


@pytest.mark.parametrize(
    "field", ["external_id", "created_at", "updated_at", "unsubscribed_at", "user", "id"]
)
def test_read_only_fields_in_a_customer_update_are_refused_and_not_stored(world: World, field: str) -> None:
    before = Customer.objects.values().get(pk=world.ada.pk)

    response = world.clients["customer"].patch(ADA, {"name": "Ada", field: "hijack"}, format="json")

    body = _envelope(response, 400, "validation_error")
    assert body["details"]["errors"] == [
        {"field": field, "code": "read_only", "message": "This field is read-only."}
    ]
    assert Customer.objects.values().get(pk=world.ada.pk) == before


def test_read_only_fields_in_a_product_write_are_refused(world: World) -> None:
    staff = world.clients["staff"]

    create = staff.post(
        "/api/v1/products", {"sku": "N-1", "name": "N", "price": "1", "created_at": "x"}, format="json"
    )
    rename = staff.patch("/api/v1/products/85123A", {"sku": "OTHER"}, format="json")

    assert _envelope(create, 400, "validation_error")["details"]["errors"][0]["code"] == "read_only"
    assert _envelope(rename, 400, "validation_error")["details"]["errors"][0]["code"] == "read_only"


def test_a_product_price_beyond_any_sale_price_is_refused_as_purchases_are(world: World) -> None:
    staff = world.clients["staff"]

    create = staff.post(
        "/api/v1/products", {"sku": "N-1", "name": "N", "price": "1000000.001"}, format="json"
    )
    change = staff.patch("/api/v1/products/85123A", {"price": "999999999.999"}, format="json")

    for response in (create, change):
        assert _envelope(response, 400, "validation_error")["details"]["errors"][0]["field"] == "price"
    assert Product.objects.get(sku="85123A").price == Decimal("2.55")


def test_withdrawing_consent_records_the_unsubscribe_time(world: World) -> None:
    ada = world.clients["customer"]
    given = ada.patch(ADA, {"marketing_consent": True}, format="json").json()

    withdrawn = ada.patch(ADA, {"marketing_consent": False}, format="json").json()

    assert given["unsubscribed_at"] is None
    assert withdrawn["marketing_consent"] is False
    assert withdrawn["unsubscribed_at"] is not None


def test_metrics_count_ingested_rejected_items_and_errors(world: World) -> None:
    staff = world.clients["staff"]
    item = {"sku": "85123A", "quantity": 1, "unit_price": "2.55", "purchased_at": "2011-12-02T10:00:00Z"}
    staff.post(f"{ADA}/data", {"purchases": [{**item, "id": "m-1"}]}, format="json")
    staff.post(f"{ADA}/data", {"purchases": [{**item, "id": "m-2", "sku": "NOPE"}]}, format="json")

    metrics = staff.get("/api/v1/metrics").content.decode()

    assert 'platform_ingested_items_total{kind="purchase",result="created"}' in metrics
    assert 'platform_rejected_items_total{reason="unknown_product",source="api"}' in metrics
    assert 'platform_api_errors_total{error_code="validation_error",status="400"}' in metrics
    assert "django_http_requests_total_by_method_total" in metrics


def test_times_with_any_valid_offset_are_read_in_utc(world: World) -> None:
    staff = world.clients["staff"]
    item = {"id": "tz-1", "sku": "85123A", "quantity": 1, "unit_price": "2.55",
            "purchased_at": "2011-12-02T10:00:00+23:30"}  # fmt: skip

    stored = staff.post(f"{ADA}/data", {"purchases": [item]}, format="json")
    listed = staff.get("/api/v1/purchases", {"purchased_before": "2011-12-02T10:00:00+23:30"})

    assert stored.status_code == 201
    assert listed.status_code == 200
    assert {p["external_id"] for p in listed.json()["results"]} == {"p-0", "p-1"}


def test_paging_returns_every_line_once_even_when_lines_share_a_time(world: World) -> None:
    staff = world.clients["staff"]
    item = {"sku": "85123A", "quantity": 1, "unit_price": "2.55", "purchased_at": "2011-12-05T10:00:00Z"}
    batch = {"purchases": [{**item, "invoice": "BIG", "line": line} for line in range(1, 8)]}
    assert staff.post(f"{ADA}/data", batch, format="json").status_code == 201

    seen: list[str] = []
    page = staff.get("/api/v1/purchases", {"page_size": "2", "invoice": "BIG"}).json()
    while True:
        seen += [row["external_id"] for row in page["results"]]
        if not page["next"]:
            break
        page = staff.get(page["next"]).json()

    assert sorted(seen) == sorted(f"BIG#{line}" for line in range(1, 8))


def test_refused_requests_are_limited_per_ip_before_any_work(world: World, settings: Any) -> None:
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "failures": "3/h"}
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Api-Key mpk_00000000.guess")

    statuses = [guesser.get(ADA).status_code for _ in range(4)]
    blocked = world.clients["anonymous"].get(ADA)

    assert statuses == [401, 401, 401, 429]
    assert _envelope(blocked, 429, "throttled")
    assert int(blocked["Retry-After"]) >= 1


@pytest.mark.parametrize("forwarded", ["evil, not-an-ip", "", "10.0.0.1, 203.0.113.9"])
def test_the_token_limit_holds_whatever_the_forwarded_header_says(
    world: World, settings: Any, forwarded: str
) -> None:
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "token": "2/h"}
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    client = APIClient(HTTP_X_FORWARDED_FOR=forwarded)

    attempts = [
        client.post("/api/v1/auth/token", {"username": "ada", "password": "guess"}, format="json").status_code
        for _ in range(3)
    ]

    assert attempts == [401, 401, 429]


def test_a_no_role_user_reading_the_schema_is_not_a_server_error(world: World) -> None:
    assert world.clients["no-role"].get("/api/schema/").status_code == 200


def test_a_body_over_the_upload_limit_is_413(world: World, settings: Any) -> None:
    staff = world.clients["staff"]
    filler = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    patched = staff.patch(ADA, f'{{"name": "{filler}"}}', content_type="application/json")
    ingested = staff.post(
        f"{ADA}/data", f'{{"purchases": [], "x": "{filler}"}}', content_type="application/json"
    )

    assert (
        str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in _envelope(patched, 413, "payload_too_large")["message"]
    )
    _envelope(ingested, 413, "payload_too_large")
    assert Customer.objects.get(pk=world.ada.pk).name == ""


@pytest.mark.parametrize("depth", [33, 10_000, 300_000])
def test_json_nested_too_deep_is_a_parse_error(world: World, depth: int) -> None:
    body = '{"profile": ' + '{"a": ' * depth + "1" + "}" * depth + "}"

    response = world.clients["staff"].patch(ADA, body, content_type="application/json")

    assert "nested deeper than" in _envelope(response, 400, "parse_error")["message"]


def test_json_nested_within_the_limit_is_stored(world: World) -> None:
    body = '{"profile": ' + '{"a": ' * 30 + "1" + "}" * 30 + "}"

    response = world.clients["staff"].patch(ADA, body, content_type="application/json")

    assert response.status_code == 200, response.content


# Raw bodies: a JSON \u escape can name half of a surrogate pair, which is no text PostgreSQL can store.
LONE_SURROGATES = {
    "profile value": (ADA, "patch", '{"profile": {"note": "a\\udfff"}}'),
    "profile key": (ADA, "patch", '{"profile": {"\\ud800": 1}}'),
    "name": (ADA, "patch", '{"name": "\\udfffAda"}'),
    "beside a NUL": (ADA, "patch", '{"profile": {"a": "\\u0000", "b": "\\udfff"}}'),
    "purchase metadata": (
        f"{ADA}/data",
        "post",
        '{"purchases": [{"id": "s-1", "sku": "85123A", "quantity": 1, "unit_price": "2.55",'
        ' "purchased_at": "2011-12-02T10:00:00Z", "metadata": {"note": ["\\udfff"]}}]}',
    ),
}


@pytest.mark.parametrize("role", ["staff", "customer"])
@pytest.mark.parametrize("case", LONE_SURROGATES)
def test_a_lone_surrogate_anywhere_in_a_body_is_a_parse_error(world: World, role: str, case: str) -> None:
    path, method, body = LONE_SURROGATES[case]
    before = Customer.objects.values().get(pk=world.ada.pk)

    response = getattr(world.clients[role], method)(path, body, content_type="application/json")

    if response.status_code != 403:  # a customer may not ingest
        assert "surrogate" in _envelope(response, 400, "parse_error")["message"]
    assert Customer.objects.values().get(pk=world.ada.pk) == before
    assert not world.ada.purchases.filter(external_id="s-1").exists()


def test_a_surrogate_pair_is_one_character_and_is_stored(world: World) -> None:
    response = world.clients["customer"].patch(
        ADA, '{"profile": {"mood": "\\ud83d\\ude00"}}', content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert Customer.objects.get(pk=world.ada.pk).profile == {"mood": "\U0001f600"}
