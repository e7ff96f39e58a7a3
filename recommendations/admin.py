"""Model versions: training history, data sizes, timings and offline metrics; retrain and switch."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from recommendations.models import ModelStatus, ModelVersion
from recommendations.services import model_version_activate, model_version_request


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin[ModelVersion]):
    list_display = ("__str__", "status", "active", "created_at", "training_seconds", "customers", "products")
    list_filter = ("status", "active")
    actions = ("serve_this_version", "train_a_new_version")
    readonly_fields = (
        "status", "active", "created_at", "finished_at", "training_seconds", "artifact", "error",
        "parameters_table", "data_table", "metrics_table",
    )  # fmt: skip
    exclude = ("parameters", "data", "metrics")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from training, not from a form

    @admin.display(description="customers")
    def customers(self, version: ModelVersion) -> Any:
        return version.data.get("customers", "-")

    @admin.display(description="products")
    def products(self, version: ModelVersion) -> Any:
        return version.data.get("products", "-")

    @admin.display(description="Parameters")
    def parameters_table(self, version: ModelVersion) -> str:
        return _table(version.parameters)

    @admin.display(description="Data")
    def data_table(self, version: ModelVersion) -> str:
        return _table(version.data)

    @admin.display(description="Offline metrics")
    def metrics_table(self, version: ModelVersion) -> str:
        """One table per split, as ``evaluate_recommenders`` kept it."""
        if not version.metrics:
            return "Not evaluated yet: python manage.py evaluate_recommenders"
        header = format_html_join("", "<th>{}</th>", ((name,) for name in METRIC_COLUMNS))
        tables = format_html_join(
            "",
            "<p><b>{} split</b>: {}</p><table><tr><th>recommender</th>{}</tr>{}</table>",
            (
                (split, result.get("description", ""), header, _metric_rows(result.get("rows", [])))
                for split, result in version.metrics.items()
            ),
        )
        return format_html("{}", tables)

    @admin.action(description="Serve the selected version")
    def serve_this_version(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        if queryset.count() != 1 or queryset.get().status != ModelStatus.READY:
            self.message_user(request, "Choose exactly one ready version.", messages.ERROR)
            return
        model_version_activate(queryset.get())
        self.message_user(request, f"{queryset.get()} now serves recommendations.")

    @admin.action(description="Train a new version now (on the training queue)")
    def train_a_new_version(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        version, created = model_version_request()
        if not created:
            self.message_user(request, f"{version} is already waiting or training.", messages.WARNING)
            return
        self.message_user(request, "Training started; the new version serves when it is ready.")


METRIC_COLUMNS = ("precision", "recall", "ndcg", "auc", "coverage")


def _metric_rows(rows: list[dict[str, Any]]) -> str:
    return format_html_join(
        "",
        "<tr><td>{}</td>{}</tr>",
        (
            (
                row["recommender"],
                format_html_join("", "<td>{}</td>", ((f"{row[c]:.3f}",) for c in METRIC_COLUMNS)),
            )
            for row in rows
        ),
    )


def _table(values: dict[str, Any]) -> str:
    if not values:
        return "-"
    rows = format_html_join(
        "",
        "<tr><th>{}</th><td>{}</td></tr>",
        (
            (key, json.dumps(value) if isinstance(value, dict | list) else value)
            for key, value in values.items()
        ),
    )
    return format_html("<table>{}</table>", rows)
