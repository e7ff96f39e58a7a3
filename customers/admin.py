from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.db.models import F, Field, Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_admin_inline_paginator_plus.admin import TabularInlinePaginated

from catalog.models import Product
from conversations.selectors import recent_messages
from customers.models import (
    Customer,
    CustomerInterest,
    InteractionEvent,
    Interest,
    InterestTopic,
    Purchase,
)
from customers.selectors import customer_purchase_summary
from graph.drawing import subgraph_svg
from graph.engine import GraphUnavailable
from graph.port import get_graph
from marketing_platform.money import money_text
from marketing_platform.ranges import validate_moment, validate_quantity, validate_unit_price
from marketing_platform.readable import readable
from recommendations.serving import recommendations_for
from visionboards.admin import board_thumbnail
from visionboards.models import BoardStatus
from visionboards.selectors import latest_board, latest_ready_board

ActivityModel = TypeVar("ActivityModel", Purchase, InteractionEvent)
RECENT_MESSAGES = 10  # shown on the customer's page, with a link to all of them


@admin.display(description="amount", ordering="amount")
def purchase_amount(purchase: Purchase) -> str:
    return money_text(purchase.amount, purchase.currency)


@admin.display(description="evidence")
def interest_evidence(interest: CustomerInterest) -> str:
    return readable(interest.evidence)


class ReadOnlyPaginatedInline(TabularInlinePaginated):
    """History is written by services, never edited by hand: shown a page at a time."""

    per_page = 15
    extra = 0
    can_delete = False
    show_change_link = True
    htmx_enabled = False  # no third-party script from a CDN in the admin

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PurchaseInline(ReadOnlyPaginatedInline):
    model = Purchase
    pagination_key = "purchases_page"
    fields = ("purchased_at", "invoice", "kind", "product", "quantity", "unit_price_shown", purchase_amount)
    readonly_fields = fields
    ordering = ("-purchased_at", "-pk")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Purchase]:
        return super().get_queryset(request).select_related("product")

    @admin.display(description="unit price")
    def unit_price_shown(self, purchase: Purchase) -> str:
        return money_text(purchase.unit_price, purchase.currency)


class CurrentInterestInline(ReadOnlyPaginatedInline):
    model = CustomerInterest
    pagination_key = "interests_page"
    verbose_name_plural = "interests (current and past, newest first)"
    fields = ("interest", "source", "confidence", "valid_from", "valid_to", interest_evidence)
    readonly_fields = fields
    ordering = (F("valid_to").desc(nulls_first=True), "-confidence")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustomerInterest]:
        return super().get_queryset(request).select_related("interest__topic")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ("external_id", "name", "email", "country", "marketing_consent", "created_at")
    list_filter = ("marketing_consent", "country")
    search_fields = ("=external_id", "email", "name", "=country")
    readonly_fields = ("purchase_summary", "recommendations", "vision_board", "similar_customers",
                       "profile_graph", "recent_messages", "created_at", "updated_at")  # fmt: skip
    autocomplete_fields = ("user",)
    show_full_result_count = False
    inlines = (CurrentInterestInline, PurchaseInline)

    class Media:
        js = ("visionboards/render-board.js",)

    fieldsets = (
        (None, {"fields": ("external_id", "name", "email", "country", "purchase_summary")}),
        ("Marketing", {"fields": ("marketing_consent", "unsubscribed_at")}),
        ("Recommendations", {"fields": ("recommendations", "vision_board")}),
        ("Knowledge graph", {"fields": ("similar_customers", "profile_graph")}),
        ("Messages", {"fields": ("recent_messages",)}),
        ("Login", {"fields": ("user",), "classes": ("collapse",)}),
        ("Profile", {"fields": ("profile", "created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="Purchases")
    def purchase_summary(self, customer: Customer) -> str:
        if customer.pk is None:
            return "-"
        summary = customer_purchase_summary(customer_id=customer.pk)
        if summary.first is None or summary.last is None:
            return "No purchases yet."
        return (
            f"{summary.orders:,} orders, {summary.lines:,} lines, {money_text(summary.spent)} spent "
            f"({money_text(summary.returned)} returned); first {date_format(summary.first, 'j M Y')}, "
            f"last {date_format(summary.last, 'j M Y')}"
        )

    @admin.display(description="Recommended next")
    def recommendations(self, customer: Customer) -> str:
        if customer.pk is None:
            return "-"
        result = recommendations_for(customer.pk, limit=8)
        mode = f"{result.mode}, model v{result.model_version}" if result.model_version else result.mode
        items = format_html_join(
            mark_safe("<br>"),
            "<b>{}</b> · {} <span style='color:#666'>({})</span>",
            ((item.name, item.reason, item.strategy) for item in result.items),
        )
        return format_html("{}<br><span style='color:#666'>mode: {}</span>", items or "Nothing yet.", mode)

    @admin.display(description="Vision board")
    def vision_board(self, customer: Customer) -> str:
        if customer.pk is None:
            return "-"
        latest, ready = latest_board(customer.pk), latest_ready_board(customer.pk)
        shown: str = "No board yet."
        if ready:
            page = reverse("admin:visionboards_visionboard_change", args=[ready.pk])
            shown = format_html('<a href="{}">{}</a>', page, board_thumbnail(ready, 216))
        under_way = latest is not None and latest.status in (BoardStatus.PENDING, BoardStatus.RENDERING)
        note = f"Version {latest.version} is rendering. " if under_way and latest else ""
        return format_html(
            '<div>{}</div><p style="margin:8px 0">{}<button type="button" class="button render-board" '
            'data-url="{}">Render a vision board</button></p>',
            shown, note, reverse("admin:visionboards_visionboard_render", args=[customer.pk]),
        )  # fmt: skip

    @admin.display(description="Similar customers")
    def similar_customers(self, customer: Customer) -> str:
        if customer.pk is None:
            return "-"
        try:
            similar = get_graph().similar_customers(customer.pk, limit=5)
        except GraphUnavailable as exc:
            return f"The graph is unavailable: {exc}"
        if not similar:
            return "None yet (computed from purchases on a schedule)."
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> · score {} · shares {}',
            (
                (
                    reverse("admin:customers_customer_change", args=[other.id]),
                    other.name or other.external_id,
                    f"{other.score:.2f}",
                    ", ".join(p.name for p in other.shared_products[:3]) or "interests",
                )
                for other in similar
            ),
        )

    @admin.display(description="Profile graph")
    def profile_graph(self, customer: Customer) -> str:
        if customer.pk is None:
            return "-"
        try:
            return subgraph_svg(get_graph().profile_subgraph(customer.pk, limit=20))
        except GraphUnavailable as exc:
            return f"The graph is unavailable: {exc}"

    @admin.display(description="Latest messages")
    def recent_messages(self, customer: Customer) -> str:
        if customer.pk is None:
            return "-"
        everything = reverse("admin:conversations_message_changelist")
        return render_to_string(
            "admin/customers/customer/recent_messages.html",
            {
                "messages": recent_messages(customer.pk, limit=RECENT_MESSAGES),
                "total": customer.messages.count(),
                "all_url": f"{everything}?{urlencode({'customer__id__exact': customer.pk})}",
            },
        )


ACTIVITY_VALIDATORS: dict[str, Callable[[Any], None]] = {
    "purchased_at": validate_moment,
    "occurred_at": validate_moment,
    "quantity": validate_quantity,
    "unit_price": validate_unit_price,
}


class CustomerActivityAdmin(admin.ModelAdmin[ActivityModel]):
    """Purchases and events: large tables searched by exact customer id or SKU."""

    list_select_related = ("customer", "product")
    list_filter = ("kind",)
    autocomplete_fields = ("customer", "product")
    show_full_result_count = False
    readonly_fields = ("created_at",)
    search_help_text = "An exact customer external id or product SKU."
    search_fields = ("=customer__external_id", "=product__sku")  # enables the box; see below

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        """The ranges the API and the importers hold purchases and events to."""
        form_field: forms.Field | None = super().formfield_for_dbfield(db_field, request, **kwargs)
        validator = ACTIVITY_VALIDATORS.get(db_field.name)
        if form_field is not None and validator:
            form_field.validators.append(validator)  # the field's own list
        return form_field

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ActivityModel], search_term: str
    ) -> tuple[QuerySet[ActivityModel], bool]:
        """Resolve the term to ids first, so each branch of the OR uses its own index.

        Django's default joins customer and product and ORs across the join,
        which scans the whole table.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(self.search_condition(term)), False

    def search_condition(self, term: str) -> Q:
        return Q(
            customer_id__in=list(Customer.objects.filter(external_id=term).values_list("pk", flat=True))
        ) | Q(product_id__in=list(Product.objects.filter(sku=term).values_list("pk", flat=True)))


@admin.register(Purchase)
class PurchaseAdmin(CustomerActivityAdmin[Purchase]):
    list_display = ("purchased_at", "invoice", "kind", "customer", "product", "quantity", purchase_amount)
    date_hierarchy = "purchased_at"
    search_help_text = "An exact invoice number, customer external id or product SKU."

    def search_condition(self, term: str) -> Q:
        return super().search_condition(term) | Q(invoice=term)


@admin.register(InteractionEvent)
class InteractionEventAdmin(CustomerActivityAdmin[InteractionEvent]):
    list_display = ("occurred_at", "kind", "customer", "product", "source", "details")
    date_hierarchy = "occurred_at"

    @admin.display(description="details")
    def details(self, event: InteractionEvent) -> str:
        return readable(event.metadata)


@admin.register(InterestTopic)
class InterestTopicAdmin(admin.ModelAdmin[InterestTopic]):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin[Interest]):
    list_display = ("name", "topic", "slug", "product_category")
    list_select_related = ("topic", "product_category")
    list_filter = ("topic",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("topic",)
    raw_id_fields = ("product_category",)


@admin.register(CustomerInterest)
class CustomerInterestAdmin(admin.ModelAdmin[CustomerInterest]):
    list_display = ("customer", "interest", "source", "confidence", "valid_from", "valid_to")
    list_select_related = ("customer", "interest__topic")
    list_filter = ("source", "interest__topic", ("valid_to", admin.EmptyFieldListFilter))
    search_fields = ("=customer__external_id", "interest__name")
    date_hierarchy = "valid_from"
    raw_id_fields = ("customer", "interest")
    show_full_result_count = False
    fields = ("customer", "interest", "source", "confidence", "evidence_shown", "valid_from", "valid_to")
    readonly_fields = ("evidence_shown",)

    @admin.display(description="evidence")
    def evidence_shown(self, interest: CustomerInterest) -> str:
        return interest_evidence(interest)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # history rows change only through services
