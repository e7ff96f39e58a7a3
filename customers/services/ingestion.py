"""One customer's batch of purchases, interests and events: validated whole, stored idempotently."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from catalog.models import Product
from customers.models import Customer, InteractionEvent, InterestSource, Purchase, PurchaseKind
from customers.selectors import EMAIL_TAKEN, customer_email_taken, interest_ids_by_key
from customers.services.activity import EventRow, PurchaseRow, events_record, purchases_record
from customers.services.interests import InterestValue, customer_interests_apply
from marketing_platform.api.errors import FieldErrors, PlatformError, WriteConflict
from marketing_platform.bulk import WriteCounts, conflicting_keys, ids_by

CUSTOMER_FIELDS = ("email", "name", "country", "profile", "marketing_consent")


class IngestKeyReusedError(PlatformError):
    status_code = 409
    default_code = "key_reused"
    default_detail = "Some keys already name other records; nothing was stored."

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(details={"errors": errors})


@dataclass
class IngestResult:
    customer: Customer
    customer_created: bool
    customer_updated: bool
    purchases: WriteCounts = field(default_factory=WriteCounts)
    interests: WriteCounts = field(default_factory=WriteCounts)
    events: WriteCounts = field(default_factory=WriteCounts)

    @property
    def created_anything(self) -> bool:
        return self.customer_created or any(
            counts.created for counts in (self.purchases, self.interests, self.events)
        )


def _digest(*parts: object) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=12).hexdigest()


def _unknown(
    items: Sequence[Mapping[str, Any]],
    name: str,
    field: str,
    known: Mapping[str, int],
    code: str,
    message: str,
) -> list[dict[str, str]]:
    """Per-item errors for references in ``items[…][field]`` that are not in ``known``."""
    return [
        {"field": f"{name}.{index}.{field}", "code": code, "message": message.format(item[field])}
        for index, item in enumerate(items)
        if item[field] not in known
    ]


def _resolve_references(
    *,
    external_id: str,
    customer_data: Mapping[str, Any],
    purchases: Sequence[Mapping[str, Any]],
    interests: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, int], dict[str, int]]:
    """Check every reference in the batch; raise with all per-item errors at once."""
    skus = [item["sku"] for item in (*purchases, *events)]
    product_ids = ids_by(Product, "sku", skus)
    interest_ids = interest_ids_by_key()
    errors = [
        *_unknown(
            purchases, "purchases", "sku", product_ids, "unknown_product", "No product has the SKU {!r}."
        ),
        *_unknown(events, "events", "sku", product_ids, "unknown_product", "No product has the SKU {!r}."),
        *_unknown(
            interests,
            "interests",
            "interest",
            interest_ids,
            "unknown_interest",
            "{!r} is not in the interest taxonomy (topic/value).",
        ),
    ]
    email = customer_data.get("email")
    if email and customer_email_taken(email=email, by_other_than=external_id):
        errors.append(EMAIL_TAKEN | {"field": "customer.email"})
    if errors:
        raise FieldErrors(errors)
    return product_ids, interest_ids


def _upsert_customer(external_id: str, data: Mapping[str, Any]) -> tuple[Customer, bool, bool]:
    customer, created = Customer.objects.select_for_update().get_or_create(
        external_id=external_id, defaults=dict(data)
    )
    changed = [name for name in CUSTOMER_FIELDS if name in data and getattr(customer, name) != data[name]]
    if not created and changed:
        for name in changed:
            setattr(customer, name, data[name])
        customer.save(update_fields=[*changed, "updated_at"])
    return customer, created, bool(changed) and not created


def customer_data_ingest(
    *,
    external_id: str,
    source: str,
    customer_data: Mapping[str, Any],
    purchases: Sequence[Mapping[str, Any]],
    interests: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
) -> IngestResult:
    """Store a validated batch for one customer (created if new) in one transaction.

    Items are keyed by ``(source, id)``; a purchase without an id is keyed by
    its invoice and line, an event without one by what it says, so re-sending
    the same batch stores nothing new.
    """
    product_ids, interest_ids = _resolve_references(
        external_id=external_id,
        customer_data=customer_data,
        purchases=purchases,
        interests=interests,
        events=events,
    )
    try:
        with transaction.atomic():
            customer, created, updated = _upsert_customer(external_id, customer_data)
            result = IngestResult(customer=customer, customer_created=created, customer_updated=updated)
            purchase_rows = [
                _purchase(customer, source, item, product_ids[item["sku"]]) for item in purchases
            ]
            event_rows = [_event(customer, source, item, product_ids[item["sku"]]) for item in events]
            _refuse_reused_keys(purchase_rows, event_rows)
            result.purchases = purchases_record(purchase_rows)
            result.events = events_record(event_rows)
            by_source: dict[str, list[InterestValue]] = {}
            for item in interests:
                by_source.setdefault(item["source"], []).append(
                    InterestValue(interest_id=interest_ids[item["interest"]], confidence=item["confidence"])
                )
            for interest_source, values in by_source.items():
                result.interests += customer_interests_apply(
                    source=InterestSource(interest_source),
                    values_by_customer={customer.pk: values},
                    replace=False,
                )
    except IntegrityError as exc:
        # A concurrent request won a race on a unique key (email, customer):
        # nothing of this batch was stored and a retry is safe.
        raise WriteConflict from exc
    return result


# What a purchase's or an event's key stands for: resending the key with other
# values is a client bug, not a duplicate.
PURCHASE_IDENTITY = ("customer_id", "product_id", "kind", "quantity", "unit_price", "purchased_at")
EVENT_IDENTITY = ("customer_id", "product_id", "kind", "occurred_at")


def _refuse_reused_keys(purchases: Sequence[PurchaseRow], events: Sequence[EventRow]) -> None:
    errors = [
        *_reused_keys("purchases", purchases, Purchase, PURCHASE_IDENTITY),
        *_reused_keys("events", events, InteractionEvent, EVENT_IDENTITY),
    ]
    if errors:
        raise IngestKeyReusedError(errors)


def _reused_keys(
    name: str,
    rows: Sequence[PurchaseRow | EventRow],
    model: type[Purchase] | type[InteractionEvent],
    identity: Sequence[str],
) -> list[dict[str, str]]:
    conflicts = conflicting_keys(model, rows, identity)
    return [
        {
            "field": f"{name}.{index}",
            "code": "key_reused",
            "message": f"The key {row.external_id!r} already names a different {name[:-1]}.",
        }
        for index, row in enumerate(rows)
        if (row.source, row.external_id) in conflicts
    ]


def _purchase(customer: Customer, source: str, item: Mapping[str, Any], product_id: int) -> PurchaseRow:
    kind = PurchaseKind(item["kind"])
    quantity = item["quantity"] if kind == PurchaseKind.SALE else -item["quantity"]
    unit_price: Decimal = item["unit_price"]
    return PurchaseRow(
        source=source,
        # "#" cannot occur in a client id, so the two kinds of key never collide.
        external_id=item.get("id") or f"{item['invoice']}#{item['line']}",
        invoice=item.get("invoice", ""),
        kind=kind,
        customer_id=customer.pk,
        product_id=product_id,
        quantity=quantity,
        unit_price=unit_price,
        amount=unit_price * quantity,
        currency=item["currency"],
        purchased_at=item["purchased_at"],
        metadata=item.get("metadata", {}),
    )


def _event(customer: Customer, source: str, item: Mapping[str, Any], product_id: int) -> EventRow:
    external_id = item.get("id") or _digest(
        customer.external_id, item["kind"], item["sku"], item["occurred_at"].isoformat()
    )
    return EventRow(
        source=source,
        external_id=external_id,
        customer_id=customer.pk,
        product_id=product_id,
        kind=item["kind"],
        occurred_at=item["occurred_at"],
        metadata=item.get("metadata", {}),
    )
