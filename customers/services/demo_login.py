"""A login of its own for one demo customer, so the customer's app can be tried (``load_demo``)."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from customers.models import Customer

DEMO_USERNAME = "customer"
DEMO_LOGIN_FILE = "customer-login.txt"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    customer: str
    password: str | None  # None: made before, its password is not known here


@transaction.atomic
def demo_login_give(*, external_ids: Collection[str]) -> DemoLogin | None:
    """Link a new user ``customer`` with a random password to the demo customer with the most
    purchase lines that has no login yet; once: a second run returns the login as it stands.
    None when no demo customer is left to give it to."""
    users = get_user_model().objects
    existing = Customer.objects.filter(user__username=DEMO_USERNAME).first()
    if existing is not None:
        return DemoLogin(DEMO_USERNAME, existing.external_id, None)
    if users.filter(username=DEMO_USERNAME).exists():
        return None  # someone's account of that name, not a customer's: left alone
    customer = (
        Customer.objects.filter(external_id__in=list(external_ids), user__isnull=True)
        .annotate(lines=Count("purchases"))
        .order_by("-lines", "pk")
        .first()
    )
    if customer is None:
        return None
    password = secrets.token_urlsafe(12)
    customer.user = users.create_user(username=DEMO_USERNAME, password=password)
    customer.save(update_fields=["user"])
    return DemoLogin(DEMO_USERNAME, customer.external_id, password)


def demo_password_stored() -> str | None:
    """The demo login's password as ``load_demo`` kept it beside the admin's (VAR_DIR), if it did."""
    stored = settings.VAR_DIR / DEMO_LOGIN_FILE
    words = stored.read_text().split() if stored.exists() else []
    return words[1] if len(words) > 1 else None


def demo_password_store(login: DemoLogin) -> None:
    """Keep a new login's password, readable by this user only."""
    if login.password is not None:
        stored = settings.VAR_DIR / DEMO_LOGIN_FILE
        stored.write_text(f"{login.username}\n{login.password}\n")
        stored.chmod(0o600)
