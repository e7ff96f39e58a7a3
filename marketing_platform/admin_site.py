"""The admin as staff meet it: a dashboard for a home page, the marketer's sections first and
the technical ones together under Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, include, path, reverse, reverse_lazy

from marketing_platform.dashboard import dashboard_for

# The marketer's sections, in the order they work in; every other app goes under Settings.
MARKETING_APPS = (
    "customers",
    "conversations",
    "campaigns",
    "analytics",
    "visionboards",
    "recommendations",
    "catalog",
)
SETTINGS_LABEL = "settings"


@dataclass(frozen=True)
class AdminPage:
    """A page of an app's admin besides its models' (a report, say). A model admin answers its
    own at ``<app_label>/…`` (``app_urls()``) and names those to list in ``admin_pages``: they
    follow the app's models, for staff who may view the model."""

    name: str
    url_name: str  # in the admin's namespace


class PlatformAdminSite(admin.AdminSite):
    site_header = "Marketing platform"
    site_title = "Marketing platform"
    index_title = "Dashboard"
    index_template = "admin/dashboard.html"
    site_url = cast(str, reverse_lazy("swagger-ui"))  # "View site": the API's documentation

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        def may_view(model: type[Model]) -> bool:
            return model in self._registry and self._registry[model].has_view_permission(request)

        return super().index(request, {"panels": dashboard_for(may_view), **(extra_context or {})})

    def get_urls(self) -> list[URLResolver | URLPattern]:
        pages = [
            path(f"{model._meta.app_label}/", include(model_admin.app_urls()))
            for model, model_admin in self._registry.items()
            if hasattr(model_admin, "app_urls")
        ]
        return [*pages, *super().get_urls()]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        """One app's page keeps Django's listing; the index and the sidebar list the marketer's
        apps in ``MARKETING_APPS`` order, then one Settings section with everything else."""
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["models"] = [*app["models"], *self._pages(request, app["models"])]
        if app_label is not None:
            return apps
        marketing = sorted(
            (app for app in apps if app["app_label"] in MARKETING_APPS),
            key=lambda app: MARKETING_APPS.index(app["app_label"]),
        )
        technical = [
            {**model, "name": f"{app['name']} · {model['name']}"}
            for app in apps
            if app["app_label"] not in MARKETING_APPS
            for model in app["models"]
        ]
        if not technical:
            return marketing
        settings_section = {
            "name": "Settings",
            "app_label": SETTINGS_LABEL,
            "app_url": f"{reverse('admin:index', current_app=self.name)}#{SETTINGS_LABEL}",
            "has_module_perms": True,
            "models": technical,
        }
        return [*marketing, settings_section]

    def _pages(self, request: HttpRequest, models: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The ``admin_pages`` of these models' admins, as entries of the app list."""
        admins = [self._registry[model["model"]] for model in models]
        return [
            {
                "name": page.name,
                "object_name": page.url_name,
                "admin_url": reverse(f"admin:{page.url_name}", current_app=self.name),
                "add_url": None,
                "view_only": True,
                "perms": {"view": True},
            }
            for model_admin in admins
            if model_admin.has_view_permission(request)
            for page in getattr(model_admin, "admin_pages", ())
        ]
