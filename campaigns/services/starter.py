"""Starter content for a new installation: three templates, three segments and a draft A/B
campaign, so a marketer has something real to open, preview and send on the first day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from campaigns.models import Campaign, CampaignState, CampaignVariant, EmailTemplate, Segment, WinnerMetric
from catalog.services import category_tree_sync
from customers.models import Interest
from customers.services.interests import interest_taxonomy_sync_from_catalog

WELCOME = "Welcome"
WEEKLY_PICKS = "Weekly picks"
VISION_BOARD = "Your vision board"
TEMPLATES: dict[str, dict[str, Any]] = {
    WELCOME: {
        "subject": "Welcome to {{ company.name }}"
        "{% if customer.first_name %}, {{ customer.first_name }}{% endif %}",
        "preheader": "A few favourites to start with",
        "html_body": """{{ greeting() }}
<p>Thank you for joining us. Every week we pick a few things for you,
from what you bought and what you love.</p>
<h2>A few favourites to start with</h2>
{{ products(limit=4, columns=2) }}
{{ button("Visit the shop", shop_url) }}
""",
        "customer_facing": True,  # a frontend may send it when someone signs up
    },
    WEEKLY_PICKS: {
        "subject": "{% if customer.first_name %}{{ customer.first_name }}, y{% else %}Y{% endif %}"
        "our picks this week",
        "preheader": "{% if interests %}Chosen for lovers of {{ interests[0] }}"
        "{% else %}This week's favourites{% endif %}",
        "html_body": """{{ greeting() }}
<p>Here is what we picked for you this week.</p>
{{ products(limit=6, columns=2) }}
{% if interests %}
<h2>Because you love</h2>
{{ interest_tags() }}
{% endif %}
{{ button("See more in the shop", shop_url) }}
""",
    },
    VISION_BOARD: {
        "subject": "{% if vision_board %}Your vision board is here"
        "{% else %}Ideas for your vision board{% endif %}",
        "preheader": "What you love and what we think you will like next, on one page",
        "html_body": """{{ greeting() }}
{% if vision_board %}
<p>We put what you love and what we think you will like next on one board.</p>
{{ vision_board_image() }}
{% else %}
<p>Here is what we would put on your vision board.</p>
{% endif %}
{{ products(limit=3, columns=3) }}
{{ button("Visit the shop", shop_url) }}
""",
    },
}  # fmt: skip

RECENT_BUYERS = "Bought in the last 90 days"
UK_CUSTOMERS = "UK customers"
KITCHEN_LOVERS = "Kitchen & dining lovers"
# Each segment's rules, and the interest topic (a root category's slug) whose interests it holds.
SEGMENTS: dict[str, tuple[dict[str, Any], str]] = {
    RECENT_BUYERS: ({"purchased_within_days": 90}, ""),
    UK_CUSTOMERS: ({"countries": ["United Kingdom"]}, ""),
    KITCHEN_LOVERS: ({}, "kitchen-dining"),
}
AB_CAMPAIGN = "Weekly picks or vision board? (A/B)"


@dataclass(frozen=True)
class StarterContent:
    templates: list[EmailTemplate]
    segments: list[Segment]
    campaign: Campaign
    created: int


@transaction.atomic
def starter_content_create_missing() -> StarterContent:
    """Create each starter template, segment and the campaign unless one of that name exists:
    what staff edited (or renamed theirs to) stays as it is, and a second run creates nothing.
    The campaign is a draft: nothing is sent until staff schedule it."""
    created = 0
    templates = []
    for name, fields in TEMPLATES.items():
        template, new = EmailTemplate.objects.get_or_create(name=name, defaults=fields)
        templates.append(template)
        created += new
    segments = []
    for name, (rules, topic) in SEGMENTS.items():
        segment, new = Segment.objects.get_or_create(name=name, defaults=rules)
        if new and topic:
            segment.interests.set(_interests_of(topic))
        segments.append(segment)
        created += new
    campaign, new = Campaign.objects.get_or_create(
        name=AB_CAMPAIGN,
        defaults={"segment": segments[0], "state": CampaignState.DRAFT, "winner_metric": WinnerMetric.CLICKS},
    )
    if new:
        by_name = {template.name: template for template in templates}
        CampaignVariant.objects.bulk_create(
            [
                CampaignVariant(campaign=campaign, label="A", template=by_name[WEEKLY_PICKS], share=50),
                CampaignVariant(campaign=campaign, label="B", template=by_name[VISION_BOARD], share=50),
            ]
        )
        created += 1
    return StarterContent(templates, segments, campaign, created)


def _interests_of(topic: str) -> list[Interest]:
    """Without interests the segment would hold everyone: the taxonomy is made sure of first."""
    category_tree_sync()
    interest_taxonomy_sync_from_catalog()
    return list(Interest.objects.filter(topic__slug=topic))
