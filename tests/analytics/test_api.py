"""GET /api/v1/analytics/…: the analytics page's figures on small histories with known answers,
bad input in the envelope, and who may read them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.attribution_refresh import attribution_refresh
from analytics.services.refresh import aggregates_refresh
from campaigns.services.tracking import send_click_record
from marketing_platform.api.scopes import Scope
from tests.analytics.attribution_world import T0, world
from tests.analytics.buyers import RANKED, one_order_each
from tests.analytics.world import buy, reachable, say
from tests.api.test_cursors import CRAFTED, INVALID
from tests.factories import catalog
from tests.support import key_client

ENVELOPE = {"error_code", "message", "details", "timestamp", "request_id"}


@pytest.fixture
def product(db: None) -> int:
    return catalog(["85123A"])["85123A"]


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == ENVELOPE
    assert body["error_code"] == code
    return body


def _money(amount: str, currency: str) -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def _gbp(amount: str) -> dict[str, str]:
    return _money(amount, "GBP")


def test_activity_gives_each_day_the_totals_and_the_period_before(
    staff_client: APIClient, product: int
) -> None:
    # given: orders on 1 and 3 December 2011, a message on the 4th
    ada, bob = reachable("ada"), reachable("bob")
    buy(ada.pk, product, "1", day=0, invoice="I1")  # 5.00
    buy(bob.pk, product, "2", day=0, invoice="I2")
    buy(ada.pk, product, "3", day=2, invoice="I3")
    buy(bob.pk, product, "4", day=2, invoice="I4", price="3", currency="EUR")
    say(bob.pk, "m", day=3)
    aggregates_refresh()

    # when
    response = staff_client.get("/api/v1/analytics/activity", {"since": "2011-12-03", "until": "2011-12-04"})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["days"] == [
        {"day": "2011-12-03", "active_customers": 2, "orders": 2, "events": 0, "messages": 0,
         "revenue": [_money("6.000", "EUR"), _gbp("5.000")]},
        {"day": "2011-12-04", "active_customers": 1, "orders": 0, "events": 0, "messages": 1, "revenue": []},
    ]  # fmt: skip
    assert body["totals"] == {
        "since": "2011-12-03", "until": "2011-12-04", "orders": 2, "events": 0, "messages": 1,
        "mean_active_customers": 1.5, "revenue": [_money("6.000", "EUR"), _gbp("5.000")],
    }  # fmt: skip
    assert body["previous"] == {
        "since": "2011-12-01", "until": "2011-12-02", "orders": 2, "events": 0, "messages": 0,
        "mean_active_customers": 1.0, "revenue": [_gbp("10.000")],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "status", "code", "field"),
    [
        ({"since": "2011-12-09", "until": "2011-12-01"}, 400, "invalid_period", None),
        ({"since": "1990-01-01", "until": "2011-12-01"}, 400, "invalid_period", None),
        ({"since": "0001-01-01", "until": "0001-01-02"}, 400, "invalid_period", None),
        ({"until": "2011-12-01"}, 400, "validation_error", "since"),
        ({"since": "2011-12-32", "until": "2012-01-01"}, 400, "validation_error", "since"),
        ({"since": "2011-12-01", "until": "2011-12-02", "days": "7"}, 400, "validation_error", "days"),
    ],
)
def test_activity_refuses_a_period_it_cannot_read(
    staff_client: APIClient, query: dict[str, str], status: int, code: str, field: str | None
) -> None:
    body = _error(staff_client.get("/api/v1/analytics/activity", query), status, code)

    if field is not None:
        assert [error["field"] for error in body["details"]["errors"]] == [field]
    else:
        assert body["message"]


@pytest.fixture
def attributed(db: None, django_capture_on_commit_callbacks: Any, settings: Any) -> Any:
    """The campaign "Spring" emailed two customers products the model recommended (the first
    one a product of the graph's too). The second clicked one on 2 November and bought it an hour
    later; the first clicked one today (the tracked link: an open and a click) and bought it."""
    shop = world(django_capture_on_commit_callbacks)
    shop.show_in_email(0, [(0, "model"), (1, "graph:bought_together")])
    shop.show_in_email(1, [(0, "model")])
    shop.click_in_email(1, 0, T0)
    shop.buy(1, 0, T0 + timedelta(hours=1))  # 2 × 2.55
    send_click_record(send_id=shop.sends[0].pk, product_id=shop.products[0])
    shop.buy(0, 0, timezone.now())
    attribution_refresh()
    aggregates_refresh()
    return shop


def test_a_campaigns_performance_per_day_and_variant_with_its_conversions(
    staff_client: APIClient, attributed: Any
) -> None:
    campaign = attributed.sends[0].run.campaign

    response = staff_client.get(f"/api/v1/analytics/campaigns/{campaign.pk}/performance")

    assert response.status_code == 200
    zero = dict.fromkeys(("sent", "delivered", "unsubscribed", "bounced", "complained"), 0)
    assert response.json() == {
        "campaign": campaign.pk,
        "name": "Spring",
        "days": [
            {"day": T0.date().isoformat(), "variant": "A", **zero, "opened": 0, "clicked": 0, "converted": 1,
             "revenue": _gbp("5.100")},
            {"day": timezone.localdate().isoformat(), "variant": "A", **zero, "opened": 1, "clicked": 1,
             "converted": 1, "revenue": _gbp("5.100")},
        ],
    }  # fmt: skip
    _error(staff_client.get(f"/api/v1/analytics/campaigns/{campaign.pk + 1}/performance"), 404, "not_found")


def test_each_strategy_with_what_it_showed_and_earned_on_a_channel(
    staff_client: APIClient, attributed: Any
) -> None:
    since, until = T0.date().isoformat(), timezone.localdate().isoformat()

    both = staff_client.get("/api/v1/analytics/strategies", {"since": since, "until": until}).json()
    by_api = staff_client.get(
        "/api/v1/analytics/strategies", {"since": since, "until": until, "channel": "api"}
    )

    assert both == {
        "since": since,
        "until": until,
        "channel": None,
        "strategies": [
            {"strategy": "model", "shown": 2, "clicked": 2, "bought": 2, "revenue": _gbp("10.200"),
             "conversion_rate": 1.0},
            {"strategy": "graph:bought_together", "shown": 1, "clicked": 0, "bought": 0,
             "revenue": _gbp("0.000"), "conversion_rate": 0.0},
        ],
    }  # fmt: skip
    assert by_api.json()["strategies"] == []
    bad = staff_client.get("/api/v1/analytics/strategies", {"since": since, "until": until, "channel": "sms"})
    assert _error(bad, 400, "validation_error")["details"]["errors"][0]["field"] == "channel"
    backwards = {"since": until, "until": since}
    _error(staff_client.get("/api/v1/analytics/strategies", backwards), 400, "invalid_period")


def test_rfm_counts_every_segment_and_lists_one_segments_members_page_by_page(
    staff_client: APIClient, product: int
) -> None:
    one_order_each(product, range(11))

    counts = staff_client.get("/api/v1/analytics/rfm").json()["segments"]
    first = staff_client.get("/api/v1/analytics/rfm", {"segment": "Hibernating", "page_size": "3"}).json()
    second = staff_client.get(first["next"]).json()

    assert {row["segment"]: row["customers"] for row in counts if row["customers"]} == {
        name: len(members) for name, members in RANKED.items()
    }
    assert len(counts) == 10  # the empty ones too
    assert [row["external_id"] for row in first["results"]] == ["b00", "b01", "b02"]
    assert [row["external_id"] for row in second["results"]] == ["b03"]
    assert second["next"] is None
    assert first["results"][0] == {
        "external_id": "b00",
        "orders": 1,
        "monetary": _gbp("2.500"),
        "first_purchase_at": "2011-12-01T10:00:00Z",
        "last_purchase_at": "2011-12-01T10:00:00Z",
    }
    _error(staff_client.get("/api/v1/analytics/rfm", {"segment": "Whales"}), 400, "validation_error")
    _error(
        staff_client.get("/api/v1/analytics/rfm", {"segment": "Hibernating", "cursor": "x"}),
        400,
        "validation_error",
    )


def test_cohorts_by_first_purchase_month_with_the_share_returning(
    staff_client: APIClient, product: int
) -> None:
    # given: two customers first buying in December 2011, one of them again in January; one in January
    december, january = one_order_each(product, [0, 5], prefix="d"), one_order_each(product, [40], prefix="j")
    buy(december[0].pk, product, "again", day=45)
    aggregates_refresh()

    every = staff_client.get("/api/v1/analytics/cohorts").json()
    january_on = staff_client.get("/api/v1/analytics/cohorts", {"since": "2012-01-15"}).json()

    assert every == {
        "cohorts": [
            {"month": "2011-12-01", "customers": 2, "retained": [0.5]},
            {"month": "2012-01-01", "customers": 1, "retained": []},
        ]
    }
    assert [cohort["month"] for cohort in january_on["cohorts"]] == ["2012-01-01"]
    assert len(january) == 1
    backwards = {"since": "2012-02-01", "until": "2012-01-01"}
    _error(staff_client.get("/api/v1/analytics/cohorts", backwards), 400, "invalid_period")


ENDPOINTS = (
    "/api/v1/analytics/activity?since=2011-12-01&until=2011-12-31",
    "/api/v1/analytics/strategies?since=2011-12-01&until=2011-12-31",
    "/api/v1/analytics/rfm",
    "/api/v1/analytics/rfm?segment=Champions",
    "/api/v1/analytics/cohorts",
)


@pytest.mark.django_db
def test_a_key_reads_the_analytics_only_with_the_analytics_scope() -> None:
    reader, other = key_client(Scope.ANALYTICS_READ), key_client(Scope.CAMPAIGNS_READ, Scope.CUSTOMERS_READ)

    for path in ENDPOINTS:
        assert reader.get(path).status_code == 200, path
        _error(other.get(path), 403, "permission_denied")


@pytest.mark.django_db
def test_a_crafted_cursor_for_rfm_members_is_a_client_error(staff_client: APIClient) -> None:
    for name, cursor in {**INVALID, **CRAFTED}.items():
        response = staff_client.get("/api/v1/analytics/rfm", {"segment": "Champions", "cursor": cursor})
        assert response.status_code in (200, 400), name
        assert response.status_code == 200 or set(response.json()) == ENVELOPE


@pytest.mark.parametrize("query", [{"page_size": "null"}, {"page_size": "0"}, {"cursor": "cD0xMjM="}])
def test_paging_parameters_without_a_segment_are_checked_too(
    staff_client: APIClient, query: dict[str, str]
) -> None:
    response = staff_client.get("/api/v1/analytics/rfm", query)

    assert response.status_code == 400
    assert response.json()["error_code"] == "validation_error"
    assert staff_client.get("/api/v1/analytics/rfm", {"page_size": "10"}).status_code == 200
