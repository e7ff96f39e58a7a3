"""``load_demo`` (``make run``): the demo's customers get fictional, emailable identities and staff
get starter templates, segments and a draft A/B campaign; a second run changes nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Model
from django.utils import timezone

from campaigns.models import Campaign, CampaignState, CampaignVariant, EmailTemplate, Segment
from campaigns.selectors import SegmentRules, segment_customers
from campaigns.services.emails import email_preview, template_source
from conversations.models import Message
from customers.demo_identities import demo_identity
from customers.models import Customer
from customers.services.customers import customers_create_missing
from customers.services.retail_import import online_retail_customers, online_retail_import
from marketing_platform.management.commands.runplatform import _demo_sign_in
from tests.support import DEMO_SAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path: Path) -> set[str]:
    """The demo sample as ``make run`` imports it; the external ids of its customers."""
    online_retail_import(path=DEMO_SAMPLE, rejects_path=tmp_path / "rejects.csv")
    return online_retail_customers(DEMO_SAMPLE)


DEMO_TABLES: tuple[type[Model], ...] = (
    Customer, EmailTemplate, Segment, Segment.interests.through, Campaign, CampaignVariant, Message,
)  # fmt: skip


def rows() -> list[dict[str, Any]]:
    return [row for model in DEMO_TABLES for row in model._default_manager.order_by("pk").values()]


def test_every_demo_customer_gets_a_fictional_emailable_identity(imported: set[str]) -> None:
    call_command("load_demo")

    customers = Customer.objects.filter(external_id__in=imported)
    assert len(imported) == customers.count() == 71
    for customer in customers:
        assert (customer.name, customer.email) == demo_identity(customer.external_id)
        assert str(customer.email).endswith(("@example.com", "@example.org"))
        assert customer.marketing_consent
    domains = {str(email).rpartition("@")[2] for email in customers.values_list("email", flat=True)}
    assert domains == {"example.com", "example.org"}


def test_every_demo_customer_gets_a_few_sample_messages_after_its_orders(imported: set[str]) -> None:
    call_command("load_demo")

    customers = Customer.objects.filter(external_id__in=imported)
    per_customer = {customer.pk: list(customer.messages.all()) for customer in customers}
    assert all(1 <= len(messages) <= 3 for messages in per_customer.values())
    for customer in customers:
        first_order = customer.purchases.order_by("purchased_at").first()
        assert first_order is not None
        assert all(
            m.sent_at > first_order.purchased_at and m.source == "demo" for m in per_customer[customer.pk]
        )
    assert len({m.text for messages in per_customer.values() for m in messages}) > 71  # not one text for all


def test_running_again_changes_nothing(imported: set[str]) -> None:
    call_command("load_demo")
    before = rows()

    call_command("load_demo")

    assert rows() == before


def test_the_busiest_demo_customer_gets_a_login_for_the_app_printed_with_its_password(
    imported: set[str], settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    printed = StringIO()

    call_command("load_demo", stdout=printed)
    call_command("load_demo", stdout=StringIO())

    customer = Customer.objects.select_related("user").get(user__username="customer")
    busiest = Customer.objects.filter(external_id__in=imported).annotate(lines=Count("purchases"))
    assert customer == busiest.order_by("-lines", "pk").first()
    password = (tmp_path / "customer-login.txt").read_text().split()[1]
    assert f"Customer app login: customer / {password}" in printed.getvalue()
    assert _demo_sign_in() == f"; sign in as customer / {password}"  # the banner of `make run`
    assert customer.user is not None
    assert customer.user.check_password(password)
    assert not customer.user.is_staff


def test_an_account_named_customer_that_is_not_a_customers_is_left_alone(imported: set[str]) -> None:
    staff = get_user_model().objects.create_user("customer", is_staff=True)
    printed = StringIO()

    call_command("load_demo", stdout=printed)

    assert not Customer.objects.filter(user__isnull=False).exists()
    assert "Customer app login: none given" in printed.getvalue()
    staff.refresh_from_db()
    assert staff.is_staff


def test_customers_with_data_of_their_own_keep_it(imported: set[str]) -> None:
    # given demo customers someone gave an address, a name, or who unsubscribed, and a customer
    # of another source
    addressed, named, unsubscribed, *_ = Customer.objects.filter(external_id__in=imported).order_by("pk")
    Customer.objects.filter(pk=addressed.pk).update(email="real@shop.test")
    Customer.objects.filter(pk=named.pk).update(name="Real Person")
    Customer.objects.filter(pk=unsubscribed.pk).update(unsubscribed_at=timezone.now())
    customers_create_missing([Customer(external_id="api-7")])
    own = [addressed.pk, named.pk, unsubscribed.pk]
    # what they told us; their interests are due again (they get the demo's messages)
    told = [field.name for field in Customer._meta.concrete_fields if field.name != "interests_stale_at"]
    kept = list(Customer.objects.filter(pk__in=own).order_by("pk").values(*told))

    # when
    call_command("load_demo")

    # then
    assert list(Customer.objects.filter(pk__in=own).order_by("pk").values(*told)) == kept
    other = Customer.objects.get(external_id="api-7")
    assert (other.name, other.email, other.marketing_consent) == ("", None, False)


def test_starter_templates_segments_and_a_draft_ab_campaign_that_work_on_the_demo(
    imported: set[str],
) -> None:
    call_command("load_demo")

    templates = EmailTemplate.objects.order_by("name")
    assert [t.name for t in templates] == ["Weekly picks", "Welcome", "Your vision board"]
    segments = Segment.objects.order_by("name")
    counts = {segment.name: segment_customers(segment).count() for segment in segments}
    assert set(counts) == {"Bought in the last 90 days", "UK customers", "Kitchen & dining lovers"}
    assert all(count > 0 for count in counts.values()), counts
    assert counts["UK customers"] < len(imported)  # a rule that narrows
    campaign = Campaign.objects.get()
    assert campaign.state == CampaignState.DRAFT
    assert campaign.segment.name == "Bought in the last 90 days"
    assert [(v.label, v.template.name, v.share) for v in campaign.variants.order_by("label")] == [
        ("A", "Weekly picks", 50),
        ("B", "Your vision board", 50),
    ]
    customer = segment_customers(campaign.segment).first()
    assert customer is not None
    for template in templates:  # each renders for a demo customer, with its name
        rendered = email_preview(source=template_source(template), customer=customer).rendered
        assert customer.first_name in rendered.html


def test_recency_rules_count_back_from_the_end_of_the_demo_data(imported: set[str]) -> None:
    call_command("load_demo")

    within_a_year = segment_customers(SegmentRules(purchased_within_days=365)).count()
    lapsed_for_a_year = segment_customers(SegmentRules(not_purchased_within_days=365)).count()

    assert within_a_year > 0
    assert within_a_year + lapsed_for_a_year == len(imported)


def test_a_missing_file_is_a_readable_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_demo", str(tmp_path / "gone.csv"))


def test_it_never_gives_consent_in_production(imported: set[str], settings: Any) -> None:
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="does not run in production"):
        call_command("load_demo", str(DEMO_SAMPLE))

    assert not Customer.objects.filter(marketing_consent=True).exists()
