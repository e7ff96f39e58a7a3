from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.messages import ERROR
from django.db.models import Q, QuerySet
from django.forms import Form, ModelChoiceField, ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.text import Truncator

from conversations.admin_analytics import analytics_csv, analytics_page
from conversations.embedding import embedder
from conversations.intents.errors import IntentError
from conversations.models import Intent, IntentExample, Message
from conversations.selectors import intent_classifier_state, intents_with_counts
from conversations.services.intent_classification import intent_classifier_train_later
from conversations.services.intents import intent_delete, message_intent_correct
from conversations.services.messages import messages_delete
from customers.models import Customer
from marketing_platform.admin_site import AdminPage
from marketing_platform.content_security import STATIC_FILES_ONLY, content_security_policy

EXCERPT_CHARS = 90


class IntentExampleInline(admin.TabularInline[IntentExample, Intent]):
    model = IntentExample
    extra = 3
    fields = ("text",)


@admin.register(Intent)
class IntentAdmin(admin.ModelAdmin[Intent]):
    """Intents with the examples that define them; a change trains the classifier again on the worker."""

    list_display = ("name", "slug", "active", "holds_promotions", "examples", "messages")
    list_filter = ("active", "holds_promotions")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (IntentExampleInline,)
    change_list_template = "admin/conversations/intent/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Intent]:
        return intents_with_counts()

    @admin.display(description="examples", ordering="example_count")
    def examples(self, intent: Any) -> int:
        return int(intent.example_count)

    @admin.display(description="messages", ordering="message_count")
    def messages(self, intent: Any) -> int:
        return int(intent.message_count)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(request, {"classifier": classifier_summary(), **(extra_context or {})})

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        intent_classifier_train_later()

    def delete_model(self, request: HttpRequest, obj: Intent) -> None:
        intent_delete(intent=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Intent]) -> None:
        for intent in queryset:
            intent_delete(intent=intent)


def classifier_summary() -> str:
    """The classifier's state in a sentence, for the current embedding model."""
    model = embedder().model
    state = intent_classifier_state(model)
    if state is None:
        return (
            f"Classifier ({model}): not trained yet; it trains on the worker after a change to the intents."
        )
    when = date_format(state.trained_at, "DATETIME_FORMAT")
    if state.error:
        return f"Classifier ({model}): could not train at {when}: {state.error}."
    return (
        f"Classifier ({model}): trained at {when} on {state.examples} examples of {state.intents} intents "
        f"and {state.corrections} staff corrections; below a confidence of {state.threshold:.2f} a message "
        "gets no intent."
    )


class MessageIntentForm(ModelForm[Message]):
    """Only the intent is edited, and only to an active one (or none)."""

    intent = ModelChoiceField(
        queryset=Intent.objects.filter(active=True),
        required=False,
        help_text="Staff's intent for this message: the classifier never changes it and learns from it.",
    )

    class Meta:
        model = Message
        fields = ("intent",)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    """Customers' words as they sent them: read, never edited here, but for the intent staff may
    correct (through ``message_intent_correct``); deleting is allowed."""

    form = MessageIntentForm
    change_list_template = "admin/conversations/message/change_list.html"
    admin_pages = (AdminPage("Analytics", "conversations_analytics"),)
    list_display = ("sent_at", "customer", "channel", "intent", "intent_by", "excerpt")
    list_select_related = ("customer", "intent")
    list_filter = ("channel", "intent", "intent_by", "source")
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
        name
        for entry in fields
        for name in (entry if isinstance(entry, tuple) else (entry,))
        if name != "intent"
    )

    def app_urls(self) -> list[URLPattern]:
        """The analytics of messages, at the app's address: /admin/conversations/analytics/."""
        view = self.admin_site.admin_view
        page = content_security_policy(STATIC_FILES_ONLY)(self.analytics_view)
        return [
            path("analytics/", view(page), name="conversations_analytics"),
            path("analytics.csv", view(self.analytics_csv_view), name="conversations_analytics_csv"),
        ]

    def analytics_view(self, request: HttpRequest) -> HttpResponse:
        return analytics_page(self, request)

    def analytics_csv_view(self, request: HttpRequest) -> HttpResponse:
        return analytics_csv(self, request)

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

    def save_model(self, request: HttpRequest, obj: Message, form: Form, change: bool) -> None:
        if "intent" not in form.changed_data:
            return
        try:
            message_intent_correct(message_id=obj.pk, intent=form.cleaned_data["intent"])
        except IntentError as exc:
            self.message_user(request, str(exc), ERROR)

    def delete_model(self, request: HttpRequest, obj: Message) -> None:
        messages_delete(ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        messages_delete(ids=list(queryset.values_list("pk", flat=True)))
