"""The admin's conversations analytics: a range of days (by default the 90 up to the latest
message), its charts with their totals and figures, and the same figures as CSV. Staff who may
view messages see it; the page loads scripts from the platform's static files only."""

from __future__ import annotations

from django.contrib.admin import ModelAdmin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from conversations.analytics import messages_default_range
from conversations.analytics_charts import conversation_charts
from conversations.models import Message
from marketing_platform.range_pages import range_csv, range_page


def analytics_page(model_admin: ModelAdmin[Message], request: HttpRequest) -> TemplateResponse:
    return range_page(
        model_admin,
        request,
        default=messages_default_range(),
        title="Conversations analytics",
        template="admin/conversations/analytics.html",
        csv_url_name="conversations_analytics_csv",
        figures=lambda date_range: {"charts": conversation_charts(date_range)},
    )


def analytics_csv(model_admin: ModelAdmin[Message], request: HttpRequest) -> HttpResponse:
    return range_csv(
        model_admin,
        request,
        default=messages_default_range(),
        name="conversations",
        figures=conversation_charts,
    )
