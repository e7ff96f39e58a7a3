"""Reads about customers that are more than a one-line queryset."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Lower

from catalog.models import Product
from catalog.taxonomy import OTHER
from customers.models import (
    Customer,
    CustomerInterest,
    FeedbackKind,
    InteractionEvent,
    Interest,
    InterestSource,
    ProductFeedback,
    Purchase,
    PurchaseKind,
)
from customers.ownership import acquisitions
from marketing_platform.api.principal import Principal, Role


def customer_interest_profile(*, customer_id: int, at: datetime | None = None) -> QuerySet[CustomerInterest]:
    """The customer's interests as they stood at ``at`` (now by default), strongest first."""
    rows = CustomerInterest.objects.filter(customer_id=customer_id)
    rows = rows.as_of(at) if at is not None else rows.current()
    return rows.select_related("interest__topic").order_by("-confidence", "interest__name", "source")


@dataclass(frozen=True)
class PurchaseSummary:
    orders: int
    lines: int
    spent: Decimal
    returned: Decimal
    first: datetime | None
    last: datetime | None


def customer_purchase_summary(*, customer_id: int) -> PurchaseSummary:
    """Orders, lines, first and last purchase over what the customer bought
    (``customers.ownership``: sale lines and purchase events, each event one line), returns
    counted among the lines; money spent and returned from purchase lines (events carry none)."""
    sale = Q(kind=PurchaseKind.SALE)
    money = Purchase.objects.filter(customer_id=customer_id).aggregate(
        returns=Count("pk", filter=~sale),
        spent=Sum("amount", filter=sale, default=Decimal(0)),
        returned=Sum("amount", filter=~sale, default=Decimal(0)),
    )
    bought = list(acquisitions(customer_ids=[customer_id]))
    moments = [row.moment for row in bought]
    return PurchaseSummary(
        orders=len({row.order for row in bought}),
        lines=len(bought) + money["returns"],
        spent=money["spent"],
        returned=-money["returned"],
        first=min(moments, default=None),
        last=max(moments, default=None),
    )


def customer_countries() -> list[str]:
    """The countries customers are in, alphabetically (a segment picks among them)."""
    return list(
        Customer.objects.exclude(country="").order_by("country").values_list("country", flat=True).distinct()
    )


@dataclass(frozen=True)
class CategoryCoverage:
    products: int
    categorized_products: int
    revenue: Decimal
    categorized_revenue: Decimal

    @property
    def product_share(self) -> float:
        return self.categorized_products / self.products if self.products else 0.0

    @property
    def revenue_share(self) -> float:
        return float(self.categorized_revenue / self.revenue) if self.revenue else 0.0


def category_coverage() -> CategoryCoverage:
    """How much of the catalog, and of sales revenue, sits in a real category (not Other)."""
    in_other = Q(category__isnull=True) | Q(category__slug=OTHER.slug)
    sales = Purchase.objects.filter(kind=PurchaseKind.SALE)
    revenue = sales.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    other_revenue = sales.filter(
        Q(product__category__isnull=True) | Q(product__category__slug=OTHER.slug)
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    products = Product.objects.count()
    return CategoryCoverage(
        products=products,
        categorized_products=products - Product.objects.filter(in_other).count(),
        revenue=revenue,
        categorized_revenue=revenue - other_revenue,
    )


def active_user_with_customer_pk(user_id: int) -> Any | None:
    """The active user with ``customer_pk`` set to its customer's id (or None): one query.

    Every JWT request makes this lookup, so its SQL is built once; compiling the
    join through the ORM each time would cost more than running it.
    """
    return next(iter(get_user_model().objects.raw(_active_user_sql(), [user_id])), None)


@cache
def _active_user_sql() -> str:
    quote = connection.ops.quote_name
    user, customer = get_user_model()._meta, Customer._meta
    user_pk, link = quote(user.pk.column), quote(customer.get_field("user").column)
    tables = f"{quote(user.db_table)} u LEFT JOIN {quote(customer.db_table)} c ON c.{link} = u.{user_pk}"
    columns = f"u.*, c.{quote(customer.pk.column)} AS customer_pk"
    return f"SELECT {columns} FROM {tables} WHERE u.{user_pk} = %s AND u.{quote('is_active')}"  # noqa: S608 - names from model metadata


def customers_visible_to(principal: Principal) -> QuerySet[Customer]:
    """Every customer for staff and services; a customer login sees only itself."""
    customers = Customer.objects.all()
    return customers.filter(pk=principal.own_customer_id) if principal.role == Role.CUSTOMER else customers


def visible_customer_pk(principal: Principal, external_id: str) -> int | None:
    """The id of the customer the principal may see by this external id (None: a 404)."""
    return (
        customers_visible_to(principal).filter(external_id=external_id).values_list("pk", flat=True).first()
    )


def purchases_visible_to(principal: Principal) -> QuerySet[Purchase]:
    purchases = Purchase.objects.select_related("customer", "product")
    return (
        purchases.filter(customer_id=principal.own_customer_id)
        if principal.role == Role.CUSTOMER
        else purchases
    )


def interests_visible_to(
    principal: Principal, *, at: datetime | None = None, history: bool = False
) -> QuerySet[CustomerInterest]:
    """Interest rows: current ones, those valid at ``at``, or (``history``) every version."""
    rows = CustomerInterest.objects.select_related("customer", "interest__topic")
    if not history:
        rows = rows.as_of(at) if at is not None else rows.current()
    return rows.filter(customer_id=principal.own_customer_id) if principal.role == Role.CUSTOMER else rows


def interest_ids_by_key() -> dict[str, int]:
    """Every interest of the taxonomy by its ``topic/value`` key."""
    return {
        f"{topic}/{slug}": pk for topic, slug, pk in Interest.objects.values_list("topic__slug", "slug", "pk")
    }


def declared_interests(*, customer_id: int) -> QuerySet[CustomerInterest]:
    """What the customer declared and still stands by, by topic and name."""
    return (
        CustomerInterest.objects.current()
        .filter(customer_id=customer_id, source=InterestSource.DECLARED)
        .select_related("interest__topic")
        .order_by("interest__topic__name", "interest__name")
    )


def customer_feedback(*, customer_id: int) -> QuerySet[ProductFeedback]:
    """The customer's standing feedback on products, latest first."""
    return ProductFeedback.objects.filter(customer_id=customer_id).select_related("product")


@dataclass(frozen=True)
class FeedbackOf:
    """One customer's feedback as recommendations use it."""

    not_for_me: frozenset[int] = frozenset()
    more_like_this: tuple[int, ...] = ()  # latest first


def feedback_of(customer_ids: Sequence[int]) -> dict[int, FeedbackOf]:
    """Per customer with any, the products it said were not for it and those it wants more like."""
    found: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = ProductFeedback.objects.filter(customer_id__in=list(customer_ids)).order_by("-updated_at", "-pk")
    for customer_id, product_id, kind in rows.values_list("customer_id", "product_id", "kind"):
        found[customer_id][kind].append(product_id)
    return {
        pk: FeedbackOf(frozenset(kinds[FeedbackKind.NOT_FOR_ME]), tuple(kinds[FeedbackKind.MORE_LIKE_THIS]))
        for pk, kinds in found.items()
    }


def feedback_given(*, before: datetime | None = None) -> Iterator[tuple[int, int, str, datetime]]:
    """Every customer's standing feedback as ``(customer, product, kind, when given)``."""
    rows = ProductFeedback.objects.all()
    if before is not None:
        rows = rows.filter(updated_at__lt=before)
    yield from rows.values_list("customer_id", "product_id", "kind", "updated_at").iterator(chunk_size=20_000)


EXPORT_CHUNK = 2000  # rows read at a time by the export's readers


def purchases_of(customer_id: int) -> Iterator[Purchase]:
    """The customer's purchase lines, oldest first, read a chunk at a time."""
    rows = Purchase.objects.filter(customer_id=customer_id).select_related("product")
    return rows.order_by("purchased_at", "pk").iterator(chunk_size=EXPORT_CHUNK)


def events_of(customer_id: int) -> Iterator[InteractionEvent]:
    """The customer's interaction events, oldest first, read a chunk at a time."""
    rows = InteractionEvent.objects.filter(customer_id=customer_id).select_related("product")
    return rows.order_by("occurred_at", "pk").iterator(chunk_size=EXPORT_CHUNK)


def interest_history_of(customer_id: int) -> Iterator[CustomerInterest]:
    """Every version of every interest of the customer, closed ones too, oldest first."""
    rows = CustomerInterest.objects.filter(customer_id=customer_id).select_related("interest__topic")
    return rows.order_by("valid_from", "pk").iterator(chunk_size=EXPORT_CHUNK)


EMAIL_TAKEN = {"code": "unique", "message": "This email belongs to another customer."}


def customer_with_email(email: str) -> Customer | None:
    """The customer with this address, in any case (addresses are unique in any case)."""
    return Customer.objects.annotate(email_ci=Lower("email")).filter(email_ci=email.lower()).first()


def customer_email_taken(*, email: str, by_other_than: str) -> bool:
    """Whether another customer than ``by_other_than`` (external id) has this email, in any case."""
    return (
        Customer.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci=email.lower())
        .exclude(external_id=by_other_than)
        .exists()
    )
