"""Purchases and events entered by hand are held to the ranges the API and the importers use."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory
from model_bakery import baker

from catalog.models import Product
from customers.models import Customer, InteractionEvent, Purchase

pytestmark = pytest.mark.django_db


def _errors(model: type[Purchase] | type[InteractionEvent], admin_user: Any, **data: Any) -> dict[str, Any]:
    request = RequestFactory().get("/")
    request.user = admin_user
    form_class = admin.site._registry[model].get_form(request)
    form = form_class(data=data)
    form.is_valid()
    return {name: [error.code for error in errors.as_data()] for name, errors in form.errors.items()}


def test_a_purchase_out_of_range_is_refused_in_the_admin(admin_user: Any) -> None:
    customer, product = baker.make(Customer), baker.make(Product)

    errors = _errors(
        Purchase, admin_user, source="staff", external_id="p1", kind="sale", customer=customer.pk,
        product=product.pk, quantity=10**7, unit_price="2000000", amount="1", currency="GBP",
        purchased_at_0="0001-01-01", purchased_at_1="00:00:00", metadata="{}",
    )  # fmt: skip

    assert errors == {
        "quantity": ["quantity_too_large"],
        "unit_price": ["price_too_large"],
        "purchased_at": ["time_too_early"],
    }


def test_an_event_in_the_far_future_is_refused_in_the_admin(admin_user: Any) -> None:
    customer, product = baker.make(Customer), baker.make(Product)

    errors = _errors(
        InteractionEvent, admin_user, source="staff", external_id="e1", kind="view", customer=customer.pk,
        product=product.pk, occurred_at_0="9999-12-31", occurred_at_1="00:00:00", metadata="{}",
    )  # fmt: skip

    assert errors == {"occurred_at": ["time_in_future"]}
