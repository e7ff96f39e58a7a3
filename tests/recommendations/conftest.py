from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db.models import Count

from customers.models import Customer
from customers.services.retail_import import online_retail_import
from graph.port import Graph
from graph.services.recovery import graph_rebuild
from recommendations.models import ModelVersion
from recommendations.services import model_version_train
from tests.conftest import DEMO_SAMPLE

QUICK = {"epochs": 5, "no_components": 16, "threads": 1}  # one thread: the same model every run


@dataclass
class Store:
    customer: Customer  # the demo's most active customer
    version: ModelVersion | None


@pytest.fixture
def store(db: None, graph: Graph, tmp_path: Path) -> Store:
    """The demo sample of the real data set, its graph, and no model yet."""
    online_retail_import(path=DEMO_SAMPLE, rejects_path=tmp_path / "rejects.csv")
    graph_rebuild()
    customer = Customer.objects.annotate(lines=Count("purchases")).order_by("-lines").first()
    assert customer is not None
    return Store(customer=customer, version=None)


@pytest.fixture
def trained(store: Store) -> Store:
    store.version = model_version_train(parameters=QUICK)
    return store
