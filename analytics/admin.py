"""The analytics page in the admin (``admin_overview``), hosted by the read-only list of daily
activity: who may view that may read the page. Customers' engagement lists beside it, filtered
by RFM segment (where the page's segments link to)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from analytics.admin_overview import overview_csv, overview_page
from analytics.models import CustomerEngagement, DailyActivity
from analytics.rfm import RfmSegment
from analytics.selectors import rfm_segment_members
from marketing_platform.admin_site import AdminPage
from marketing_platform.content_security import STATIC_FILES_ONLY, content_security_policy


class ReadOnly:
    """Aggregates are rebuilt from the rows they count, never typed in."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DailyActivity)
class DailyActivityAdmin(ReadOnly, admin.ModelAdmin[DailyActivity]):
    admin_pages = (AdminPage("Analytics", "analytics_overview"),)
    list_display = ("day", "active_customers", "orders", "events", "messages")
    date_hierarchy = "day"

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


class RfmSegmentFilter(admin.SimpleListFilter):
    title = "RFM segment"
    parameter_name = "rfm"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(segment.name.lower(), segment.value) for segment in RfmSegment]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        chosen = self.value()
        if chosen is None:
            return queryset
        segment = RfmSegment.__members__.get(chosen.upper())
        if segment is None:
            return queryset.none()
        return queryset.filter(pk__in=rfm_segment_members(segment).values("pk"))


@admin.register(CustomerEngagement)
class CustomerEngagementAdmin(ReadOnly, admin.ModelAdmin[CustomerEngagement]):
    list_display = ("customer", "orders", "monetary", "last_purchase_at", "emails_opened", "emails_clicked")
    list_select_related = ("customer",)
    list_filter = (RfmSegmentFilter,)
    ordering = ("-monetary", "customer_id")
    search_fields = ("customer__external_id", "customer__email")
