"""The admin as staff meet it: the marketer's sections first, the technical ones under Settings,
"View site" leading to the API's documentation, the platform's icon, and every list page working."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("graph")
def test_marketers_sections_come_first_and_technical_ones_under_settings(
    admin_client: Client,
) -> None:
    response = admin_client.get("/admin/")
    sections = response.context["app_list"]

    assert [section["name"] for section in sections] == [
        "Customers", "Conversations", "Campaigns", "Analytics", "Vision boards", "Recommendations", "Catalog",
        "Settings",
    ]  # fmt: skip
    settings_models = [model["name"] for model in sections[-1]["models"]]
    for technical in (
        "API access · API keys",
        "Periodic Tasks · Clocked",
        "Periodic Tasks · Solar events",
        "Token Blacklist · Blacklisted Tokens",
        "Authentication and Authorization · Users",
        "Knowledge graph · Graph changes",
    ):
        assert technical in settings_models
    marketing_models = {model["object_name"] for section in sections[:-1] for model in section["models"]}
    assert {"ClockedSchedule", "ApiKey", "OutstandingToken", "User"}.isdisjoint(marketing_models)
    assert '<a href="/admin/#settings" class="section"' in response.content.decode()


def test_an_apps_own_page_still_lists_its_models(admin_client: Client) -> None:
    response = admin_client.get("/admin/django_celery_beat/")

    assert response.status_code == 200
    assert [app["app_label"] for app in response.context["app_list"]] == ["django_celery_beat"]


@pytest.mark.usefixtures("graph")
def test_view_site_leads_to_the_api_docs_and_every_page_has_the_platforms_icon(admin_client: Client) -> None:
    index = admin_client.get("/admin/").content.decode()
    form = admin_client.get("/admin/catalog/product/add/").content.decode()

    assert '<a href="/api/docs/">View site</a>' in index
    for page in (index, form):
        assert '<link rel="icon" href="/static/marketing_platform/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("marketing_platform/favicon.svg")


def test_every_list_and_add_page_renders(admin_client: Client) -> None:
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        listed = admin_client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert listed.status_code == 200, meta.label
        if model_admin.has_add_permission(listed.wsgi_request):
            added = admin_client.get(f"/admin/{meta.app_label}/{meta.model_name}/add/")
            assert added.status_code == 200, meta.label
