from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from conversations.models import Intent, IntentExample, Message
from conversations.services.messages import messages_delete
from customers.models import Customer

EXCERPT_CHARS = 90


class IntentExampleInline(admin.TabularInline[IntentExample, Intent]):
    model = IntentExample
    extra = 3
    fields = ("text",)


@admin.register(Intent)
class IntentAdmin(admin.ModelAdmin[Intent]):
    list_display = ("name", "slug", "active", "holds_promotions", "examples")
    list_filter = ("active", "holds_promotions")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (IntentExampleInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Intent]:
        return super().get_queryset(request).annotate(example_count=Count("examples"))

    @admin.display(description="examples", ordering="example_count")
    def examples(self, intent: Any) -> int:
        return int(intent.example_count)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    """Customers' words as they sent them: read, never edited here (deleting is allowed)."""

    list_display = ("sent_at", "customer", "channel", "intent", "excerpt")
    list_select_related = ("customer", "intent")
    list_filter = ("channel", "intent", "source")
    date_hierarchy = "sent_at"
    show_full_result_count = False
    search_fields = ("=customer__external_id", "text")  # enables the box; see below
    search_help_text = "An exact customer external id, or words of the message."
    fields = (
        "customer",
        "text",
        "channel",
        "sent_at",
        "language",
        "campaign",
        ("intent", "intent_confidence", "intent_by"),
        ("source", "message_id"),
        ("created_at", "updated_at"),
    )
    readonly_fields = tuple(
        name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,))
    )

    @admin.display(description="text")
    def excerpt(self, message: Message) -> str:
        return Truncator(message.text).chars(EXCERPT_CHARS)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Message], search_term: str
    ) -> tuple[QuerySet[Message], bool]:
        """The customer resolved to its id first, so that branch uses the customer's index."""
        term = search_term.strip()
        if not term:
            return queryset, False
        customers = list(Customer.objects.filter(external_id=term).values_list("pk", flat=True))
        return queryset.filter(Q(customer_id__in=customers) | Q(text__icontains=term)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Message) -> None:
        messages_delete(ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        messages_delete(ids=list(queryset.values_list("pk", flat=True)))
