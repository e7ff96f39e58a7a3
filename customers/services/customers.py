"""Writes to customers themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.models import Customer
from customers.selectors import EMAIL_TAKEN, customer_email_taken
from graph.models import GraphEntity
from graph.services.sync import graph_changes_record
from marketing_platform.api.errors import FieldErrors, WriteConflict
from marketing_platform.bulk import WriteCounts, create_missing_by


def customers_create_missing(customers: Sequence[Customer]) -> tuple[WriteCounts, dict[str, int]]:
    """Create customers whose external id is new; stored ones are left as they are.

    Returns the counts and the external id → id map of every given customer.
    """
    with transaction.atomic():
        counts, ids = create_missing_by(Customer, "external_id", customers)
        graph_changes_record(GraphEntity.CUSTOMER, ids.values())
    return counts, ids


@transaction.atomic
def customer_update(*, customer: Customer, **changes: Any) -> Customer:
    """Apply changed fields; withdrawing marketing consent records when (for unsubscribe audits)."""
    email = changes.get("email")
    if email and customer_email_taken(email=email, by_other_than=customer.external_id):
        raise FieldErrors([EMAIL_TAKEN | {"field": "email"}])
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, changes[name])
    if "marketing_consent" in changed:
        locked.unsubscribed_at = None if locked.marketing_consent else timezone.now()
        changed.append("unsubscribed_at")
    if changed:
        try:
            with transaction.atomic():
                locked.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:  # the email was taken between the check and the write
            raise WriteConflict from exc
    return locked
