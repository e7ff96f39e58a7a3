"""The admin's analytics page and its CSV: a range of days (by default the 90 up to the latest
activity) compared with the days just before it. Staff who may view daily activity
(``analytics.view_dailyactivity``) see it; the page loads scripts from the platform's files only."""

from __future__ import annotations

from django.contrib.admin import ModelAdmin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from analytics.models import DailyActivity
from analytics.overview import analytics_default_range, analytics_overview
from marketing_platform.range_pages import range_csv, range_page


def overview_page(model_admin: ModelAdmin[DailyActivity], request: HttpRequest) -> TemplateResponse:
    return range_page(
        model_admin,
        request,
        default=analytics_default_range(),
        title="Analytics",
        template="admin/analytics/overview.html",
        csv_url_name="analytics_overview_csv",
        figures=lambda date_range: {"overview": analytics_overview(date_range)},
    )


def overview_csv(model_admin: ModelAdmin[DailyActivity], request: HttpRequest) -> HttpResponse:
    return range_csv(
        model_admin,
        request,
        default=analytics_default_range(),
        name="analytics",
        figures=lambda date_range: analytics_overview(date_range).parts,
    )
