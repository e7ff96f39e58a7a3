from __future__ import annotations

from collections.abc import Iterable

from campaigns.models import Campaign, CampaignState, CampaignVariant, EmailTemplate, Segment
from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from customers.models import Customer
from tests.recommendations.conftest import Store, store, trained

__all__ = ["Store", "make_reachable", "scheduled_campaign", "store", "trained"]


def make_reachable(customers: Iterable[Customer]) -> list[Customer]:
    """Give each customer an address (from its external id) and marketing consent."""
    reachable = list(customers)
    for customer in reachable:
        customer.email, customer.marketing_consent = f"{customer.external_id}@example.org", True
    Customer.objects.bulk_update(reachable, ["email", "marketing_consent"])
    return reachable


def scheduled_campaign(name: str, *, html_body: str = DEFAULT_TEMPLATE.html_body) -> Campaign:
    """A scheduled campaign to everyone reachable, fast (1,000 emails/s), with one template
    (the built-in one unless ``html_body`` says otherwise)."""
    template = EmailTemplate.objects.create(
        name=f"{name} template", subject=DEFAULT_TEMPLATE.subject, preheader=DEFAULT_TEMPLATE.preheader,
        html_body=html_body,
    )  # fmt: skip
    campaign = Campaign.objects.create(
        name=name, segment=Segment.objects.get_or_create(name="everyone")[0], state=CampaignState.SCHEDULED,
        emails_per_second=1000,
    )  # fmt: skip
    CampaignVariant.objects.create(campaign=campaign, template=template)
    return campaign
