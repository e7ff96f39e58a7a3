"""Model versions: training history, data sizes, timings and offline metrics; retrain and switch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from marketing_platform.readable import readable
from recommendations.display import RULE_COLUMNS, WEIGHT_COLUMNS, blend_summary, measures
from recommendations.models import ModelStatus, ModelVersion
from recommendations.services import model_version_activate, model_version_request


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin[ModelVersion]):
    list_display = ("__str__", "status", "active", "created_at", "training_seconds", "customers", "products")
    list_filter = ("status", "active")
    actions = ("serve_this_version", "train_a_new_version")
    readonly_fields = (
        "status", "active", "created_at", "finished_at", "training_seconds", "artifact", "error",
        "parameters_table", "data_table", "blend_tables", "metrics_table",
    )  # fmt: skip
    exclude = ("parameters", "data", "metrics", "blend")
    change_list_template = "admin/recommendations/modelversion/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from training, not from a form

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("train/", view(self.train_view), name="recommendations_modelversion_train"),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        can_train = self.has_change_permission(request)
        return super().changelist_view(request, {**(extra_context or {}), "can_train": can_train})

    def train_view(self, request: HttpRequest) -> HttpResponse:
        """The changelist's Train now button: a new version on the training queue, or word of
        the one already waiting or training."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        self._train(request)
        return HttpResponseRedirect(reverse("admin:recommendations_modelversion_changelist"))

    def _train(self, request: HttpRequest) -> None:
        version, created = model_version_request()
        if not created:
            self.message_user(request, f"{version} is already waiting or training; not starting another.",
                              messages.WARNING)  # fmt: skip
            return
        version.refresh_from_db()
        if version.status == ModelStatus.FAILED:  # the queue refused it (the broker is down)
            self.message_user(request, f"{version} could not be queued: {version.error}", messages.ERROR)
            return
        self.message_user(
            request, f"Model v{version.pk} is training on the training queue; it serves when it is ready."
        )

    @admin.display(description="customers")
    def customers(self, version: ModelVersion) -> Any:
        return version.data.get("customers", "-")

    @admin.display(description="products")
    def products(self, version: ModelVersion) -> Any:
        return version.data.get("products", "-")

    @admin.display(description="Parameters")
    def parameters_table(self, version: ModelVersion) -> str:
        return readable(version.parameters)

    @admin.display(description="Data")
    def data_table(self, version: ModelVersion) -> str:
        return readable(version.data)

    @admin.display(description="Blend")
    def blend_tables(self, version: ModelVersion) -> str:
        """How serving blends for this version, as the training chose it: weights, rules and the
        validation figures they were chosen on."""
        blend = blend_summary(version.blend)
        if not blend:
            return "None kept with this version: serving uses its default weights and rules."
        parts = [
            format_html("<p>Chosen on {}</p>", blend.chosen_on) if blend.chosen_on else "",
            format_html("<p><b>{}</b></p>", blend.fallback) if blend.fallback else "",
            _titled_table("Weights", WEIGHT_COLUMNS, blend.weights),
            _titled_table("Rules", RULE_COLUMNS, blend.rules),
            _titled_table("Validation figures", blend.figure_columns, blend.figures),
        ]
        return format_html_join("", "{}", ((part,) for part in parts if part))

    @admin.display(description="Offline metrics")
    def metrics_table(self, version: ModelVersion) -> str:
        """One table per split, as ``evaluate_recommenders`` kept it (whatever it measured then)."""
        if not version.metrics or not isinstance(version.metrics, dict):
            return "Not evaluated yet: python manage.py evaluate_recommenders"
        return format_html_join(
            "",
            "<p><b>{} split</b>: {}</p>{}",
            (
                (
                    split,
                    result.get("description", ""),
                    _html_table(*measures(result.get("rows"), "recommender")),
                )
                for split, result in version.metrics.items()
                if isinstance(result, dict)
            ),
        )

    @admin.action(description="Serve the selected version")
    def serve_this_version(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        if queryset.count() != 1 or queryset.get().status != ModelStatus.READY:
            self.message_user(request, "Choose exactly one ready version.", messages.ERROR)
            return
        model_version_activate(queryset.get())
        self.message_user(request, f"{queryset.get()} now serves recommendations.")

    @admin.action(description="Train a new version now (on the training queue)")
    def train_a_new_version(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        self._train(request)


def _titled_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return format_html("<p><b>{}</b></p>{}", title, _html_table(columns, rows)) if rows else ""


def _html_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return "-"
    return format_html(
        "<table><tr>{}</tr>{}</table>",
        format_html_join("", "<th>{}</th>", ((column,) for column in columns)),
        format_html_join(
            "",
            "<tr>{}</tr>",
            ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
        ),
    )
