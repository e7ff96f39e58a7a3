"""What the conversations tests share: customers to write messages for, with and without a
login, and one local embedder (a model loads once per run)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from conversations.embedding import LocalEmbedder
from customers.models import Customer
from tests.support import PASSWORD


@dataclass
class People:
    ada: Customer  # has a login
    bob: Customer


@pytest.fixture
def people(db: None) -> People:
    login = get_user_model().objects.create_user("ada", password=PASSWORD)
    return People(
        ada=Customer.objects.create(external_id="ada-1", email="ada@example.com", user=login),
        bob=Customer.objects.create(external_id="bob-2", email="bob@example.com"),
    )


@pytest.fixture(scope="session")
def local_embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=1)
