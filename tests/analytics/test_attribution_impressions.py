"""What was shown is recorded where it was shown: a campaign email rendered for sending (once),
an API answer (every time); a preview or a test email records nothing. A real send and a real
tracked click then credit the purchase to the strategy that showed the product."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.attribution_models import Channel, Conversion, Impression
from analytics.attribution_refresh import attribution_refresh
from campaigns.models import Send
from campaigns.services.emails import email_preview, email_send_test, template_source
from campaigns.services.sending import sends_render
from campaigns.tokens import read_click
from customers.models import Customer
from customers.services.activity import PurchaseRow, purchases_record
from tests.analytics.attribution_world import PRICE, figures
from tests.campaigns.test_sending import run_to_the_end
from tests.factories import Shop, make_reachable, scheduled_campaign

TRACKED = re.compile(r'href="([^"]*/email/click/[^"]+)"')


def product_links(html: str) -> dict[int, str]:
    """The email's tracked links to products: product id → the link's path."""
    links: dict[int, str] = {}
    for url in TRACKED.findall(unescape(html)):
        path = urlsplit(url).path
        product_id = read_click(path.rsplit("/", 1)[1]).product_id
        if product_id is not None:
            links.setdefault(product_id, path)
    return links


@pytest.fixture
def audience(shop: Shop) -> list[Customer]:
    return make_reachable(Customer.objects.filter(external_id__in=["ada", "bob"]).order_by("external_id"))


def test_an_email_records_what_it_showed_once_and_its_click_and_purchase_credit_the_strategy(
    shop: Shop, audience: list[Customer], django_capture_on_commit_callbacks: Any
) -> None:
    # given: the campaign sent (and its render retried)
    campaign = scheduled_campaign("Winter")
    ids = [sent.pk for sent in run_to_the_end(campaign, django_capture_on_commit_callbacks)]
    recorded = Impression.objects.count()
    assert sends_render(ids) == []
    assert Impression.objects.count() == recorded
    ada = audience[0]
    ada_send = Send.objects.get(pk__in=ids, customer=ada)
    shown = list(
        Impression.objects.filter(send=ada_send).order_by("position").values_list("product_id", "strategy")
    )
    links = product_links(ada_send.html)  # as sent
    assert shown
    assert [product for product, _ in shown] == list(links)
    assert set(Impression.objects.values_list("channel", flat=True)) == {Channel.EMAIL}

    # when: ada follows the link of the last product shown, and buys it
    product, strategy = shown[-1]
    assert Client().get(links[product]).status_code == 302
    purchases_record(
        [PurchaseRow("shop", "after-the-email", "I-9", "sale", ada.pk, product, 1, PRICE, PRICE, "GBP",
                     timezone.now() + timedelta(minutes=5), {})],
        recompute_interests=False,
    )  # fmt: skip
    attribution_refresh()

    # then
    conversion = Conversion.objects.get()
    assert (conversion.channel, conversion.strategy, conversion.send_id) == ("email", strategy, ada_send.pk)
    assert (conversion.campaign_id, conversion.variant_id) == (campaign.pk, ada_send.variant_id)
    strategies, campaigns = figures()
    assert [row[3:] for row in campaigns] == [(1, conversion.revenue)]
    today = timezone.localdate()
    assert (today, "email", strategy) in [row[:3] for row in strategies if row[4:6] == (1, 1)]


def test_a_preview_or_a_test_email_records_nothing(shop: Shop, audience: list[Customer]) -> None:
    source = template_source(scheduled_campaign("Winter").variants.get().template)

    email_preview(source=source, customer=audience[0])
    email_send_test(source=source, customer=audience[0], to="staff@example.org")

    assert not Impression.objects.exists()


def test_an_api_answer_records_what_it_showed_once_per_repeat_period(
    shop: Shop, staff_client: APIClient
) -> None:
    def ask() -> Any:
        return staff_client.get("/api/v1/customers/ada/recommendations?limit=3").json()

    answers = [ask() for _ in range(3)]  # a reload, or a client asking in a loop
    cache.clear()  # as when the repeat period is over
    answers.append(ask())

    assert answers[0]["items"]
    assert all(answer == answers[0] for answer in answers)
    shown = [
        (item["sku"], item["strategy"], place) for place, item in enumerate(answers[0]["items"], start=1)
    ]
    recorded = list(
        Impression.objects.order_by("pk").values_list(
            "product__sku", "strategy", "position", "channel", "customer"
        )
    )
    assert recorded == [(*row, Channel.API, shop.customers["ada"]) for row in shown * 2]
    assert not Impression.objects.filter(send__isnull=False).exists()


@pytest.mark.parametrize("shows", [0, 1])
def test_an_email_records_only_the_products_its_template_shows(
    shop: Shop, audience: list[Customer], django_capture_on_commit_callbacks: Any, shows: int
) -> None:
    # given: a template that shows fewer of the recommendations it is given (or none)
    body = "<p>{{ greeting() }}</p>" + ("{{ products(limit=1) }}" if shows else "<p>Our news.</p>")
    campaign = scheduled_campaign("Few", html_body=body)

    # when
    ids = [sent.pk for sent in run_to_the_end(campaign, django_capture_on_commit_callbacks)]

    # then: what each email links to, no more
    for send in Send.objects.filter(pk__in=ids):
        recorded = list(Impression.objects.filter(send=send).values_list("product_id", flat=True))
        assert recorded == list(product_links(send.html))
    ada_send = Send.objects.get(pk__in=ids, customer=audience[0])
    assert Impression.objects.filter(send=ada_send).count() == shows


def test_a_head_request_shows_nothing_and_records_nothing(shop: Shop, staff_client: APIClient) -> None:
    answer = staff_client.head("/api/v1/customers/ada/recommendations?limit=3")

    assert answer.status_code == 200
    assert not answer.content
    assert not Impression.objects.exists()
