"""Writes to customers themselves."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from customers.demo_identities import demo_identity
from customers.importers.online_retail import SOURCE as ONLINE_RETAIL
from customers.models import Customer, Purchase
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


def customer_lock(customer_id: int) -> None:
    """Serialise the writers of one customer's own rows (feedback, declared interests) until the
    transaction ends: row locks on those rows alone miss the case where none exists yet."""
    Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True).first()


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


@transaction.atomic
def demo_identities_give(*, external_ids: Collection[str]) -> int:
    """Give the demo's customers a fictional name, an example.com/.org address and marketing
    consent (``customers.demo_identities``): only those with these external ids and purchases
    from the Online Retail import that nobody has named, addressed or unsubscribed, so a real
    customer's data is never overwritten and a second run changes nothing. Returns how many."""
    imported = Purchase.objects.filter(customer_id=OuterRef("pk"), source=ONLINE_RETAIL)
    blank = list(
        Customer.objects.filter(
            Exists(imported), external_id__in=list(external_ids), email__isnull=True, name="",
            unsubscribed_at__isnull=True,
        ).select_for_update().order_by("pk")
    )  # fmt: skip
    identities = {customer.pk: demo_identity(customer.external_id) for customer in blank}
    taken = set(
        Customer.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci__in=[identity.email for identity in identities.values()])
        .values_list("email_ci", flat=True)
    )
    now = timezone.now()
    given = []
    for customer in blank:
        identity = identities[customer.pk]
        if identity.email not in taken:
            customer.name, customer.email, customer.marketing_consent = identity.name, identity.email, True
            customer.updated_at = now
            given.append(customer)
    Customer.objects.bulk_update(given, ["name", "email", "marketing_consent", "updated_at"])
    graph_changes_record(GraphEntity.CUSTOMER, [customer.pk for customer in given])
    return len(given)
