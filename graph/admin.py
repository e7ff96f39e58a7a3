"""The graph's outbox, read-only: what is waiting to reach the graph (the dashboard links here)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from graph.models import GraphChange


@admin.register(GraphChange)
class GraphChangeAdmin(admin.ModelAdmin[GraphChange]):
    list_display = ("__str__", "created_at")
    list_filter = ("entity",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written with each change, applied and removed by the drain

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
