"""Reads: what an email is personalised with, and who a segment holds."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from analytics.audiences import cohort_customers, rfm_segment_customers
from analytics.rfm import RfmSegment
from campaigns.errors import SegmentUnavailable
from campaigns.models import (
    COMPLAINT_HOLD,
    Campaign,
    CampaignVariant,
    EmailTemplate,
    Segment,
    Send,
    SendStatus,
    Strictness,
    Suppression,
)
from campaigns.rendering.email import Personalization, Product, uses_vision_board
from campaigns.split import variant_of
from campaigns.tokens import Click, Recipient, SignedLinks
from catalog.models import Category
from catalog.models import Product as CatalogProduct
from catalog.selectors import product_picture
from conversations.embedding import EmbeddingsUnavailable
from conversations.search import customers_talking_about
from conversations.selectors import LatestMessage, latest_message, latest_messages, message_senders
from conversations.vectors.port import VectorStoreUnavailable
from customers.models import Customer, CustomerInterest, Purchase
from customers.ownership import bought, last_activity
from marketing_platform.api.principal import Principal, Role
from marketing_platform.bulk import chunked
from marketing_platform.media import media_url
from marketing_platform.ranges import earliest_moment
from recommendations.serving import Recommendations, recommendations_for_many
from visionboards.models import VisionBoard
from visionboards.selectors import board_alt_text, customers_without_fresh_board, latest_ready_boards

INTERESTS_SHOWN = 6


def email_template_for(principal: Principal, template_id: int) -> EmailTemplate | None:
    """The template the principal may render: staff any, everyone else only those staff made
    customer-facing (None: a 404, the same whether the template is unknown or unpublished)."""
    templates = EmailTemplate.objects.filter(pk=template_id)
    if principal.role != Role.STAFF:
        templates = templates.filter(customer_facing=True)
    return templates.first()


def personalization_for(customer: Customer, *, send_id: int | None = None) -> Personalization:
    """The customer's data for a template (``personalizations_for``)."""
    return personalizations_for([(customer, send_id)])[0]


def email_recommendations(customer_ids: Sequence[int]) -> dict[int, Recommendations]:
    """The recommendations an email holds."""
    return recommendations_for_many(customer_ids, limit=settings.EMAIL_RECOMMENDATIONS)


def personalizations_for(
    recipients: Sequence[tuple[Customer, int | None]],
    recommended: Mapping[int, Recommendations] | None = None,
) -> list[Personalization]:
    """Each recipient's data for a template, read together (a campaign's render batch). Every
    customer gets some: without history the recommendations are the bestsellers of their
    declared interests, then overall (``recommended``, when the caller has them already). The
    send id, when given, goes into the tracked links."""
    customer_ids = [customer.pk for customer, _ in recipients]
    if recommended is None:
        recommended = email_recommendations(customer_ids)
    catalog = CatalogProduct.objects.in_bulk(
        {item.product_id for result in recommended.values() for item in result.items}
    )
    boards = latest_ready_boards(customer_ids)
    last_messages = latest_messages(customer_ids)
    now = timezone.now()
    links = SignedLinks()
    interests: dict[int, list[str]] = defaultdict(list)
    for customer_id, name in (
        CustomerInterest.objects.current()
        .filter(customer_id__in=customer_ids)
        .order_by("customer_id", "-confidence", "interest__name")
        .values_list("customer_id", "interest__name")
    ):
        if len(interests[customer_id]) < INTERESTS_SHOWN:
            interests[customer_id].append(name)
    return [
        Personalization(
            customer={
                "first_name": customer.first_name,
                "name": customer.name,
                "email": customer.email or "",
                "country": customer.country,
                "external_id": customer.external_id,
                "last_message": _last_message(last_messages.get(customer.pk), now),
            },
            recommendations=_pictured_once(
                [
                    _product(catalog[item.product_id], item.reason, send_id, links)
                    for item in recommended[customer.pk].items
                ]
            ),
            interests=interests[customer.pk],
            unsubscribe_url=links.unsubscribe(Recipient(customer.pk, send_id)),
            company={"name": settings.COMPANY_NAME, "address": settings.COMPANY_POSTAL_ADDRESS},
            shop_url=links.click(Click(send_id, None, settings.SHOP_URL)),
            recommendation_mode=recommended[customer.pk].mode,
            vision_board=_board(boards.get(customer.pk)),
        )
        for customer, send_id in recipients
    ]


def _last_message(latest: LatestMessage | None, now: datetime) -> dict[str, Any]:
    """What a template may know of the customer's latest message: its intent, when, where, and
    whether it holds campaigns; never its words (they are the customer's, not for an email).
    Empty for a customer who wrote none, so ``customer.last_message.intent == "…"`` reads for all."""
    if latest is None:
        return {
            "intent": "",
            "intent_name": "",
            "channel": "",
            "sent_at": "",
            "days_ago": None,
            "on_hold": False,
        }
    return {
        "intent": latest.intent,
        "intent_name": latest.intent_name,
        "channel": latest.channel,
        "sent_at": latest.sent_at.date().isoformat(),
        "days_ago": (now - latest.sent_at).days,
        "on_hold": latest.holds_campaigns(now),
    }


def _board(board: VisionBoard | None) -> dict[str, str] | None:
    if board is None or not board.social_image:
        return None
    return {
        "image_url": media_url(board.social_image.name, seconds=settings.MEDIA_EMAIL_LINK_SECONDS),
        "url": media_url(board.screen_image.name, seconds=settings.MEDIA_EMAIL_LINK_SECONDS),
        "alt": board_alt_text(board),
    }


def _product(product: CatalogProduct, reason: str, send_id: int | None, links: SignedLinks) -> Product:
    shop_url = settings.SHOP_PRODUCT_URL.format(sku=quote(product.sku, safe=""))
    return Product(
        name=product.name,
        sku=product.sku,
        price=product.display_price,
        url=links.click(Click(send_id, product.pk, shop_url)),
        reason=reason,
        image_url=product_picture(product, absolute=True),
    )


def _pictured_once(products: list[Product]) -> list[Product]:
    """The pictures a vision board uses (the stored photo, served under ``SITE_URL``, else the
    product's picture elsewhere), each once per email as on a board: a photo several products
    share, like the demo's, is the first one's, and the others show their typographic tile."""
    shown: set[str] = set()
    pictured = []
    for product in products:
        pictured.append(replace(product, image_url="") if product.image_url in shown else product)
        shown.add(product.image_url)
    return pictured


def reachable_customers() -> QuerySet[Customer]:
    """Customers a campaign may email at all: an address, consent, not unsubscribed, not
    suppressed. Checked again for each email at send time."""
    suppressed = Suppression.objects.filter(email=Lower(OuterRef("email")))
    return Customer.objects.filter(
        email__isnull=False, marketing_consent=True, unsubscribed_at__isnull=True
    ).exclude(Exists(suppressed))


@dataclass(frozen=True)
class SegmentRules:
    """A segment's rules, saved or not (the admin counts a segment while it is edited)."""

    interest_ids: list[int] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    purchased_within_days: int | None = None
    not_purchased_within_days: int | None = None
    min_spend: Decimal | None = None
    max_spend: Decimal | None = None
    sent_intent_ids: list[int] = field(default_factory=list)
    sent_intent_within_days: int | None = None
    last_message_intent_ids: list[int] = field(default_factory=list)
    talks_about: str = ""
    talks_about_within_days: int | None = None
    talks_about_strictness: Strictness = Strictness.NORMAL
    rfm_segments: list[RfmSegment] = field(default_factory=list)
    first_purchase_from: date | None = None  # a month: its first day
    first_purchase_to: date | None = None

    @classmethod
    def of(cls, segment: Segment) -> SegmentRules:
        return cls(
            interest_ids=list(segment.interests.values_list("pk", flat=True)),
            category_ids=list(segment.categories.values_list("pk", flat=True)),
            countries=list(segment.countries),
            purchased_within_days=segment.purchased_within_days,
            not_purchased_within_days=segment.not_purchased_within_days,
            min_spend=segment.min_spend,
            max_spend=segment.max_spend,
            sent_intent_ids=list(segment.sent_intents.values_list("pk", flat=True)),
            sent_intent_within_days=segment.sent_intent_within_days,
            last_message_intent_ids=list(segment.last_message_intents.values_list("pk", flat=True)),
            talks_about=segment.talks_about,
            talks_about_within_days=segment.talks_about_within_days,
            talks_about_strictness=Strictness(segment.talks_about_strictness),
            rfm_segments=[RfmSegment(name) for name in segment.rfm_segments],
            first_purchase_from=segment.first_purchase_from,
            first_purchase_to=segment.first_purchase_to,
        )


def segment_customers(segment: Segment | SegmentRules, *, now: datetime | None = None) -> QuerySet[Customer]:
    """The reachable customers every rule of the segment holds for. Category and recency rules
    read what customers bought (``customers.ownership``: sale lines and purchase events); spend
    rules read money, which only purchase lines carry (sales less returns), so a customer whose
    purchases all came as events has spent nothing; RFM segment and first-purchase month rules
    read the analytics aggregates (``_by_analytics``). Recency counts back from ``now`` when given,
    else from ``recency_end()`` (``_by_messages``: from the present). Raises ``SegmentUnavailable``
    when a "talks about" rule cannot be read (the message search is down): never a wrong audience."""
    rules = segment if isinstance(segment, SegmentRules) else SegmentRules.of(segment)
    customers = reachable_customers()
    if rules.interest_ids:
        holders = CustomerInterest.objects.current().filter(interest_id__in=rules.interest_ids)
        customers = customers.filter(pk__in=holders.values("customer_id"))
    category_ids = _with_leaves(rules.category_ids)
    if category_ids:
        customers = customers.filter(bought(product=Q(category_id__in=category_ids)))
    if rules.countries:
        customers = customers.filter(country__in=rules.countries)
    if rules.purchased_within_days is not None:
        now = now or recency_end()
        customers = customers.filter(bought(since=_days_before(now, rules.purchased_within_days)))
    if rules.not_purchased_within_days is not None:
        now = now or recency_end()
        customers = customers.exclude(bought(since=_days_before(now, rules.not_purchased_within_days)))
    if rules.min_spend is not None or rules.max_spend is not None:
        spend = (
            Purchase.objects.filter(customer_id=OuterRef("pk"))
            .values("customer_id")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        customers = customers.annotate(spend=Coalesce(Subquery(spend), Decimal(0)))
        if rules.min_spend is not None:
            customers = customers.filter(spend__gte=rules.min_spend)
        if rules.max_spend is not None:
            customers = customers.filter(spend__lte=rules.max_spend)
    return _by_messages(_by_analytics(customers, rules), rules, now)


def _by_analytics(customers: QuerySet[Customer], rules: SegmentRules) -> QuerySet[Customer]:
    """The RFM segment and first-purchase month rules, read from the analytics aggregates as of
    their last refresh (a minute behind at most, with the beat running)."""
    if rules.rfm_segments:
        customers = customers.filter(pk__in=rfm_segment_customers(rules.rfm_segments))
    if rules.first_purchase_from is not None or rules.first_purchase_to is not None:
        cohort = cohort_customers(first=rules.first_purchase_from, last=rules.first_purchase_to)
        customers = customers.filter(pk__in=cohort)
    return customers


def _by_messages(
    customers: QuerySet[Customer], rules: SegmentRules, now: datetime | None
) -> QuerySet[Customer]:
    """The message rules: a message with one of the intents (within the days, counted back from
    ``now`` or the present), the intent of the latest message, and a message about a phrase."""
    if rules.sent_intent_ids or rules.sent_intent_within_days is not None:
        days = rules.sent_intent_within_days
        since = None if days is None else _days_before(now or timezone.now(), days)
        customers = customers.filter(pk__in=message_senders(intent_ids=rules.sent_intent_ids, since=since))
    if rules.last_message_intent_ids:
        customers = customers.alias(last_intent=latest_message("intent_id")).filter(
            last_intent__in=rules.last_message_intent_ids
        )
    if rules.talks_about.strip():
        customers = customers.filter(pk__in=_talkers(rules, now))
    return customers


def _talkers(rules: SegmentRules, now: datetime | None) -> list[int]:
    days = rules.talks_about_within_days
    since = None if days is None else _days_before(now or timezone.now(), days)
    z = settings.SEGMENT_TALKS_ABOUT_Z[rules.talks_about_strictness]
    try:
        talkers = customers_talking_about(rules.talks_about.strip(), z=z, since=since)
    except (EmbeddingsUnavailable, VectorStoreUnavailable) as error:
        raise SegmentUnavailable(
            f"Who talks about “{rules.talks_about.strip()}” cannot be told now: the message search is "
            f"down ({error})."
        ) from error
    return sorted(talkers)


def recency_end() -> datetime:
    """Where "within N days" ends: the latest purchase on record (never later than now), as
    popularity and trends are measured (``recommendations.market``). In a live shop that is about
    now; in data that stops, like the demo's in December 2011, it is where the data stops, so
    its recent buyers are still recent."""
    now = timezone.now()
    return min(last_activity() or now, now)


def _days_before(now: datetime, days: int) -> datetime:
    """A window reaching past the earliest purchase the platform accepts covers all of them
    (and one of a million days would overflow ``datetime``)."""
    earliest = earliest_moment()
    return earliest if days >= (now - earliest).days else now - timedelta(days=days)


def _with_leaves(category_ids: list[int]) -> list[int]:
    if not category_ids:
        return []
    return list(
        Category.objects.filter(Q(pk__in=category_ids) | Q(parent_id__in=category_ids)).values_list(
            "pk", flat=True
        )
    )


def campaign_started(campaign: Campaign) -> bool:
    """Whether a run began: from then on, who gets which template is settled."""
    return campaign.runs.exists()


def template_started_campaigns(template_id: int) -> list[str]:
    """The campaigns that started sending with this template (their emails were made from it)."""
    started = Campaign.objects.filter(variants__template_id=template_id, runs__isnull=False)
    return list(started.distinct().order_by("name").values_list("name", flat=True))


@dataclass(frozen=True)
class BoardOutlook:
    """Before a send: the recipients whose email shows a vision board, and how many of them
    have none yet, or an out-of-date one (drawn before their emails are rendered)."""

    labels: list[str]  # the variants whose template shows the board
    recipients: int
    missing: int


def campaign_shows_board(campaign: Campaign) -> bool:
    """Whether a variant's template shows the vision board (its sends then draw boards)."""
    return bool(_showing_board(campaign.variants.select_related("template")))


def _showing_board(variants: Iterable[CampaignVariant]) -> set[int]:
    return {v.pk for v in variants if template_shows_board(v.template)}


def template_shows_board(template: EmailTemplate) -> bool:
    """Whether any part of the template, its subject and preheader too, shows the vision board."""
    return uses_vision_board(template.subject, template.preheader, template.html_body, template.text_body)


def campaign_board_outlook(campaign: Campaign) -> BoardOutlook | None:
    """None when no variant's template shows a vision board."""
    variants = list(campaign.variants.select_related("template").order_by("label"))
    showing = _showing_board(variants)
    if not showing:
        return None
    recipients = [
        pk for pk in segment_customers(campaign.segment).order_by("pk").values_list("pk", flat=True)
        if variant_of(pk, campaign.pk, variants).pk in showing
    ]  # fmt: skip
    missing = sum(len(customers_without_fresh_board(ids)) for ids in chunked(recipients, 2000))
    labels = [v.label for v in variants if v.pk in showing]
    return BoardOutlook(labels=labels, recipients=len(recipients), missing=missing)


@dataclass(frozen=True)
class VariantResult:
    label: str
    template: str
    recipients: int
    sent: int
    skipped: int
    held_for_complaint: int  # of the skipped: the latest message was a recent complaint
    failed: int
    delivered: int
    opened: int
    clicked: int
    unsubscribed: int
    bounced: int
    complained: int

    def rate(self, count: int) -> float:
        return count / self.sent if self.sent else 0.0


def campaign_results(campaign: Campaign) -> list[VariantResult]:
    """Per variant, over every run: what was sent and what recipients did with it."""
    counted = (
        Send.objects.filter(run__campaign=campaign)
        .values("variant__label", "variant__template__name")
        .annotate(
            recipients=Count("pk"),
            sent=Count("pk", filter=Q(status=SendStatus.SENT)),
            skipped=Count("pk", filter=Q(status=SendStatus.SKIPPED)),
            held_for_complaint=Count("pk", filter=Q(status=SendStatus.SKIPPED, skip_reason=COMPLAINT_HOLD)),
            failed=Count("pk", filter=Q(status=SendStatus.FAILED)),
            delivered=Count("delivered_at"),
            opened=Count("opened_at"),
            clicked=Count("clicked_at"),
            unsubscribed=Count("unsubscribed_at"),
            bounced=Count("bounced_at"),
            complained=Count("complained_at"),
        )
        .order_by("variant__label")
    )
    return [
        VariantResult(label=row.pop("variant__label"), template=row.pop("variant__template__name"), **row)
        for row in counted
    ]


# The form of ``Send.message_id``.
OUR_MESSAGE_ID = re.compile(r"<send-(?P<send>\d+)\.(?P<run>\d+)@(?P<domain>[^>]+)>")


def send_replied_to(message_ids: Iterable[str]) -> Send | None:
    """The send an email answers, from the ids of its In-Reply-To and References headers (the
    latest first): our own Message-ID (``Send.message_id``) or the one the ESP reported."""
    for message_id in message_ids:
        ours = OUR_MESSAGE_ID.fullmatch(message_id.strip())
        if ours and ours["domain"] == settings.EMAIL_MESSAGE_ID_DOMAIN:
            send = Send.objects.filter(pk=int(ours["send"]), run_id=int(ours["run"])).first()
        else:
            bare = message_id.strip().strip("<>")
            send = Send.objects.filter(esp_message_id__in=[bare, f"<{bare}>"]).first() if bare else None
        if send is not None:
            return send
    return None
