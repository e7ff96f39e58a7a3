"""Reads for vision boards: what a board is made from, and a customer's boards."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Product
from customers.models import Customer, CustomerInterest
from customers.ownership import last_purchase_moments
from customers.selectors import feedback_of
from recommendations.serving import recommendations_for_many, recommendations_states
from visionboards.models import BoardStatus, VisionBoard

INTERESTS_SHOWN = 2
RECENT_SHOWN = 2


@dataclass(frozen=True)
class BoardProduct:
    product_id: int
    sku: str  # the id frontends know the product by
    name: str
    price: str
    reason: str
    image: str  # a file in media storage, or ""
    image_url: str  # a remote picture, or ""


@dataclass(frozen=True)
class BoardInterest:
    name: str
    slug: str
    confidence: float


@dataclass(frozen=True)
class BoardSource:
    """Everything a board shows, read before drawing (and stored with the board)."""

    customer_id: int
    first_name: str
    interests: list[BoardInterest] = field(default_factory=list)
    recent: list[BoardProduct] = field(default_factory=list)
    recommended: list[BoardProduct] = field(default_factory=list)
    recommendation_mode: str = ""
    state: str = ""  # ``recommendations_states``: a board is stale once it changes

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def board_sources_for(customers: Sequence[Customer]) -> dict[int, BoardSource]:
    """Each customer's interests (strongest first), latest purchases and recommendations."""
    ids = [customer.pk for customer in customers]
    tiles = settings.VISION_BOARD_TILES
    recommended = recommendations_for_many(ids, limit=tiles)
    interests = _interests(ids)
    recent = _recent_purchases(ids)
    wanted = {item.product_id for result in recommended.values() for item in result.items}
    wanted |= {pk for products in recent.values() for pk, _ in products}
    catalog = Product.objects.in_bulk(wanted)
    states = recommendations_states(ids)
    return {
        customer.pk: BoardSource(
            customer_id=customer.pk,
            first_name=customer.first_name,
            interests=interests[customer.pk],
            recent=[
                _product(catalog[pk], f"Your order of {last:%-d %B %Y}") for pk, last in recent[customer.pk]
            ],
            recommended=[
                _product(catalog[item.product_id], item.reason) for item in recommended[customer.pk].items
            ],
            recommendation_mode=recommended[customer.pk].mode,
            state=states[customer.pk],
        )
        for customer in customers
    }


def latest_board(customer_id: int) -> VisionBoard | None:
    return VisionBoard.objects.filter(customer_id=customer_id).order_by("-version").first()


def latest_ready_board(customer_id: int) -> VisionBoard | None:
    return (
        VisionBoard.objects.filter(customer_id=customer_id, status=BoardStatus.READY)
        .order_by("-version")
        .first()
    )


def latest_ready_boards(customer_ids: Sequence[int]) -> dict[int, VisionBoard]:
    """Each customer's latest ready board, for those who have one (an email batch)."""
    found: dict[int, VisionBoard] = {}
    for board in VisionBoard.objects.filter(customer_id__in=customer_ids, status=BoardStatus.READY).order_by(
        "customer_id", "-version"
    ):
        found.setdefault(board.customer_id, board)
    return found


def customers_without_fresh_board(customer_ids: Sequence[int]) -> list[int]:
    """Those of these customers whose latest ready board is missing, or was drawn from
    recommendations that changed since (stale, as ``board_is_stale`` says)."""
    if not customer_ids:
        return []
    states = recommendations_states(customer_ids)
    drawn: dict[int, str] = {}
    for customer_id, state in (
        VisionBoard.objects.filter(customer_id__in=customer_ids, status=BoardStatus.READY)
        .order_by("customer_id", "-version")
        .values_list("customer_id", "source__state")
    ):
        drawn.setdefault(customer_id, state)
    return [pk for pk in customer_ids if pk not in drawn or drawn[pk] != states.get(pk)]


def board_alt_text(board: VisionBoard) -> str:
    titles = [section["content"]["title"] for section in board.layout["formats"]["social"]["sections"]]
    return "Your vision board: " + ", ".join(titles[:4])


def recent_boards() -> QuerySet[VisionBoard]:
    return VisionBoard.objects.select_related("customer").order_by("-requested_at")


def customers_with_boards(customer_ids: Sequence[int]) -> list[int]:
    return list(
        VisionBoard.objects.filter(customer_id__in=customer_ids)
        .values_list("customer_id", flat=True)
        .distinct()
    )


def _interests(customer_ids: list[int]) -> dict[int, list[BoardInterest]]:
    found: dict[int, list[BoardInterest]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    rows = (
        CustomerInterest.objects.current()
        .filter(customer_id__in=customer_ids)
        .order_by("customer_id", "-confidence", "interest__name")
        .values_list("customer_id", "interest__name", "interest__slug", "confidence")
    )
    for customer_id, name, slug, confidence in rows:  # one row per source: keep the strongest
        if (customer_id, slug) not in seen and len(found[customer_id]) < INTERESTS_SHOWN:
            seen.add((customer_id, slug))
            found[customer_id].append(BoardInterest(name, slug, confidence))
    return found


def _recent_purchases(customer_ids: list[int]) -> dict[int, list[tuple[int, datetime]]]:
    """The active products each customer bought last (``customers.ownership``: sale lines and
    purchase events), latest first; not those it said were not for it."""
    found: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    moments = last_purchase_moments(customer_ids=customer_ids)
    unwanted = {
        (pk, product) for pk, said in feedback_of(customer_ids).items() for product in said.not_for_me
    }
    active = set(
        Product.objects.filter(pk__in={pk for _, pk in moments}, active=True).values_list("pk", flat=True)
    )
    latest_first = sorted(moments.items(), key=lambda item: (item[0][0], -item[1].timestamp(), item[0][1]))
    for (customer_id, product_id), last in latest_first:
        if (
            product_id in active
            and (customer_id, product_id) not in unwanted
            and len(found[customer_id]) < RECENT_SHOWN
        ):
            found[customer_id].append((product_id, timezone.localtime(last)))
    return found


def _product(product: Product, reason: str) -> BoardProduct:
    return BoardProduct(
        product_id=product.pk,
        sku=product.sku,
        name=product.name,
        price=product.display_price,
        reason=reason,
        image=product.image.name if product.image else "",
        image_url=product.image_url,
    )
