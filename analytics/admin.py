"""The analytics page in the admin (``admin_overview``), hosted by the read-only list of daily
activity: who may view that may read the page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from analytics.admin_overview import overview_csv, overview_page
from analytics.models import DailyActivity
from marketing_platform.admin_site import AdminPage
from marketing_platform.content_security import STATIC_FILES_ONLY, content_security_policy


@admin.register(DailyActivity)
class DailyActivityAdmin(admin.ModelAdmin[DailyActivity]):
    admin_pages = (AdminPage("Analytics", "analytics_overview"),)
    list_display = ("day", "active_customers", "orders", "events", "messages")
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rebuilt from the rows it counts, never typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def app_urls(self) -> list[URLPattern]:
        """The page at the app's address: /admin/analytics/overview/ and its CSV."""
        view = self.admin_site.admin_view
        page = content_security_policy(STATIC_FILES_ONLY)(self.overview_view)
        return [
            path("overview/", view(page), name="analytics_overview"),
            path("overview.csv", view(self.overview_csv_view), name="analytics_overview_csv"),
        ]

    def overview_view(self, request: HttpRequest) -> HttpResponse:
        return overview_page(self, request)

    def overview_csv_view(self, request: HttpRequest) -> HttpResponse:
        return overview_csv(self, request)
