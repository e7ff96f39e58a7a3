"""The segment rules read from the analytics aggregates: "RFM segment is one of" and "first
purchase in month range" (the customer's cohort)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from analytics.rfm import RfmSegment
from campaigns.models import Segment
from campaigns.selectors import SegmentRules, segment_customers
from customers.models import Customer
from tests.analytics.buyers import RANKED, one_order_each
from tests.factories import catalog

COUNT = "/admin/campaigns/segment/count/"
ADD = "/admin/campaigns/segment/add/"


@pytest.fixture
def product(db: None) -> int:
    return catalog(["85123A"])["85123A"]


def _members(rules: SegmentRules) -> list[str]:
    return sorted(segment_customers(rules).values_list("external_id", flat=True))


def test_the_rfm_rule_holds_the_customers_of_the_segments_named(product: int) -> None:
    customers = one_order_each(product, range(11))
    Customer.objects.filter(pk=customers[0].pk).update(marketing_consent=False)  # not reachable

    chosen = _members(SegmentRules(rfm_segments=[RfmSegment.HIBERNATING, RfmSegment.PROMISING]))
    saved = Segment.objects.create(name="Asleep", rfm_segments=["New customers"])

    assert chosen == ["b01", "b02", "b03", "b06", "b07"]  # b00 is a hibernating customer without consent
    assert sorted(segment_customers(saved).values_list("external_id", flat=True)) == RANKED["New customers"]
    assert _members(SegmentRules(rfm_segments=[RfmSegment.CHAMPIONS])) == []


def test_the_cohort_rule_holds_the_customers_who_first_bought_in_the_months(product: int) -> None:
    # given: first orders in December 2011 (day 0), January (day 40) and February 2012 (day 70);
    # the December customer buys again in February
    december, january, february = one_order_each(product, [0, 40, 70])
    one_order_each(product, [71], prefix="again")
    assert (december.external_id, january.external_id, february.external_id) == ("b00", "b01", "b02")

    def cohort(first: date | None, last: date | None) -> list[str]:
        members = _members(SegmentRules(first_purchase_from=first, first_purchase_to=last))
        return [external_id for external_id in members if external_id.startswith("b")]

    assert cohort(date(2012, 1, 1), date(2012, 2, 1)) == ["b01", "b02"]
    assert cohort(date(2012, 1, 1), None) == ["b01", "b02"]
    assert cohort(None, date(2012, 1, 1)) == ["b00", "b01"]  # b00 bought in February too: not its cohort
    assert cohort(date(2012, 2, 1), date(2012, 2, 1)) == ["b02"]


def test_evaluating_the_rules_takes_as_many_queries_for_many_customers_as_for_few(product: int) -> None:
    rules = SegmentRules(
        rfm_segments=[RfmSegment.HIBERNATING], first_purchase_from=date(2011, 12, 1), first_purchase_to=None
    )

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            count = segment_customers(rules).count()
        return count, len(captured.captured_queries)

    one_order_each(product, range(5), prefix="few")
    few, few_queries = queries()
    one_order_each(product, range(5, 40), prefix="many")
    many, many_queries = queries()

    assert (few, many) == (2, 16)  # the first two fifths of the 5, then of the 40
    assert many_queries == few_queries == 1


def test_the_admin_counts_the_rules_live_and_saves_months_as_their_first_day(
    admin_client: Client, product: int
) -> None:
    one_order_each(product, range(11))

    live = admin_client.post(COUNT, {"rfm_segments": ["Hibernating", "New customers"]}).json()
    months = admin_client.post(
        COUNT, {"first_purchase_from": "2011-12", "first_purchase_to": "2011-12"}
    ).json()
    later = admin_client.post(COUNT, {"first_purchase_from": "2012-01"}).json()
    december = {"first_purchase_from": "2011-12", "first_purchase_to": "2011-12"}
    saved = admin_client.post(ADD, {"name": "December's new", "rfm_segments": ["New customers"], **december})

    assert (live["ok"], live["count"], live["reachable"]) == (True, 7, 11)
    assert (months["count"], later["count"]) == (11, 0)
    assert saved.status_code == 302
    segment = Segment.objects.get(name="December's new")
    assert (segment.rfm_segments, segment.first_purchase_from, segment.first_purchase_to) == (
        ["New customers"], date(2011, 12, 1), date(2011, 12, 1)
    )  # fmt: skip
    page = admin_client.get(f"/admin/campaigns/segment/{segment.pk}/change/").content.decode()
    assert 'type="month" name="first_purchase_from" value="2011-12"' in page


def test_the_admin_refuses_a_month_range_that_ends_before_it_starts_and_an_unknown_segment(
    admin_client: Client, db: None
) -> None:
    backwards = admin_client.post(COUNT, {"first_purchase_from": "2012-02", "first_purchase_to": "2012-01"})
    unknown = admin_client.post(COUNT, {"rfm_segments": ["Whales"]})
    form = admin_client.post(ADD, {"name": "Backwards", "first_purchase_from": "2012-02",
                                   "first_purchase_to": "2012-01"}).context["adminform"].form  # fmt: skip

    assert backwards.json() == {
        "ok": False,
        "message": "first_purchase_to: Choose a month no earlier than the first.",
    }
    assert unknown.json()["ok"] is False
    assert "Whales is not one of the available choices" in unknown.json()["message"]
    assert form.errors["first_purchase_to"] == ["Choose a month no earlier than the first."]
    assert not Segment.objects.exists()
