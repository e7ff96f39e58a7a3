"""The segment form: countries picked among the customers' own, categories from the catalog's
tree (each under its parent), no JSON to type."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from model_bakery import baker

from campaigns.models import Segment
from catalog.models import Category
from catalog.services import category_tree_sync
from customers.models import Customer

pytestmark = pytest.mark.django_db

ADD = "/admin/campaigns/segment/add/"


@pytest.fixture
def countries() -> None:
    for external_id, country in (("1", "France"), ("2", "Germany"), ("3", "France"), ("4", "")):
        baker.make(Customer, external_id=external_id, country=country)


@pytest.mark.usefixtures("countries")
def test_countries_are_picked_among_the_customers_own(admin_client: Client) -> None:
    Segment.objects.create(name="old", countries=["Iceland"])  # saved before any customer there

    new = admin_client.get(ADD).context["adminform"].form
    old = admin_client.get(f"/admin/campaigns/segment/{Segment.objects.get().pk}/change/")

    assert list(new.fields["countries"].choices) == [("France", "France"), ("Germany", "Germany")]
    assert ("Iceland", "Iceland") in old.context["adminform"].form.fields["countries"].choices
    assert 'id="id_countries"' in old.content.decode()
    assert 'class="selectfilter"' in old.content.decode()  # the admin's two-list picker


def test_categories_are_listed_as_the_tree_each_under_its_parent(admin_client: Client) -> None:
    ids = category_tree_sync()
    lights = Category.objects.get(pk=ids["lights-candles"])
    assert lights.parent is not None

    page = admin_client.get(ADD).content.decode()

    order = re.findall(r'<input type="checkbox" name="categories" value="(\d+)"[^>]*data-depth="(\d)"', page)
    listed = [(int(pk), int(depth)) for pk, depth in order]
    assert len(listed) == Category.objects.count()
    assert listed[0] == (lights.parent.pk, 0)  # the first root, then its leaves
    assert listed[1] == (lights.pk, 1)
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    current_root = None
    for pk, depth in listed:
        if depth == 0:
            current_root = pk
        else:
            assert parents[pk] == current_root


@pytest.mark.usefixtures("countries")
def test_a_segment_saves_the_countries_and_categories_picked(admin_client: Client) -> None:
    ids = category_tree_sync()

    response = admin_client.post(
        ADD, {"name": "French lights", "countries": ["France"], "categories": [ids["lights-candles"]]}
    )

    assert response.status_code == 302
    segment = Segment.objects.get()
    assert segment.countries == ["France"]
    assert list(segment.categories.values_list("slug", flat=True)) == ["lights-candles"]


@pytest.mark.usefixtures("countries")
def test_a_country_no_customer_is_in_is_refused_with_a_message(admin_client: Client) -> None:
    response = admin_client.post(ADD, {"name": "Nowhere", "countries": ["Atlantis"]})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["countries"] == [
        "Select a valid choice. Atlantis is not one of the available choices."
    ]
    assert not Segment.objects.exists()
