from __future__ import annotations

import pytest
from django.urls import reverse
from model_bakery import baker
from rest_framework.test import APIClient

from catalog.models import Category, Product
from customers.models import CustomerInterest, Interest, InterestSource
from tests.support import WorkerStarter
from tests.waiting import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_ingested_purchase_updates_interests_through_a_real_worker(
    staff_client: APIClient, celery_worker: WorkerStarter
) -> None:
    # given a product whose category is an interest, and a running worker on the configured broker
    category = baker.make(Category, slug="christmas", parent=baker.make(Category, slug="seasonal"))
    interest = baker.make(Interest, slug="christmas", product_category=category)
    baker.make(Product, sku="22086", category=category)
    batch = {
        "purchases": [
            {
                "id": "p-1",
                "sku": "22086",
                "quantity": 4,
                "unit_price": "2.95",
                "purchased_at": "2011-12-01T08:26:00Z",
            }
        ]
    }

    with celery_worker():
        # when a purchase arrives through the API
        response = staff_client.post(
            reverse("customer-data-ingest", kwargs={"external_id": "W-1"}), batch, format="json"
        )
        assert response.status_code == 201

        # then the worker writes the purchase-inferred interest after commit
        inferred = CustomerInterest.objects.current().filter(
            customer__external_id="W-1", interest=interest, source=InterestSource.PURCHASES
        )
        assert wait_for(inferred.exists), "the worker never recomputed the customer's interests"
