"""JSON typed into the admin that the database cannot store is a form error naming why, and
nothing is saved."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from catalog.models import Product

UNSTORABLE = {
    "a lone surrogate": ('{"note": "\\udfff"}', "lone surrogate"),
    "a lone surrogate in a key": ('{"\\ud800": 1}', "lone surrogate"),
    "a NUL": ('{"note": "a\\u0000b"}', "NUL"),
    "nesting 10,000 deep": ("[" * 10_000 + "]" * 10_000, "nested deeper"),
}


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("admin", password="unused-here"))
    return client


def product_form(metadata: str) -> dict[str, str]:
    return {"sku": "NEW-1", "name": "NEW LANTERN", "price": "4.50", "currency": "GBP", "tags": "[]",
            "metadata": metadata, "active": "on"}  # fmt: skip


@pytest.mark.parametrize("case", UNSTORABLE, ids=UNSTORABLE.keys())
def test_unstorable_json_is_a_form_error_and_nothing_is_saved(admin_client: Client, case: str) -> None:
    metadata, reason = UNSTORABLE[case]

    response = admin_client.post("/admin/catalog/product/add/", product_form(metadata))

    assert response.status_code == 200  # the form again, with its error
    errors = response.context["adminform"].form.errors["metadata"]
    assert any(reason in error and "cannot be stored" in error for error in errors), errors
    assert not Product.objects.exists()


def test_storable_json_is_saved(admin_client: Client) -> None:
    response = admin_client.post("/admin/catalog/product/add/", product_form('{"note": "\\ud83c\\udf84 ok"}'))

    assert response.status_code == 302
    assert Product.objects.get(sku="NEW-1").metadata == {"note": "\U0001f384 ok"}
