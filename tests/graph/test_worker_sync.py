from __future__ import annotations

import pytest
from django.urls import reverse
from model_bakery import baker
from rest_framework.test import APIClient

from catalog.models import Product
from customers.models import Customer
from graph.port import Graph
from graph.schema import CUSTOMER, PURCHASED
from tests.support import WorkerStarter
from tests.waiting import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_ingested_purchase_reaches_the_graph_through_a_real_worker(
    staff_client: APIClient, graph: Graph, celery_worker: WorkerStarter
) -> None:
    product = baker.make(Product, sku="22086", name="PAPER CHAIN KIT 50'S CHRISTMAS")
    line = {
        "id": "p-1",
        "sku": "22086",
        "quantity": 4,
        "unit_price": "2.95",
        "purchased_at": "2011-12-01T08:26:00Z",
    }
    batch = {"customer": {"name": "Wendy"}, "purchases": [line]}

    with celery_worker():
        response = staff_client.post(
            reverse("customer-data-ingest", kwargs={"external_id": "W-1"}), batch, format="json"
        )
        assert response.status_code == 201
        customer = Customer.objects.get(external_id="W-1")

        assert wait_for(lambda: (customer.pk, product.pk) in graph.edges(PURCHASED)), "the drain never ran"
    assert graph.nodes(CUSTOMER)[customer.pk]["name"] == "Wendy"
    assert graph.edges(PURCHASED)[(customer.pk, product.pk)]["quantity"] == 4
