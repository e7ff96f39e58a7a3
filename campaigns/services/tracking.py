"""What recipients did with an email: clicks through our links, and the ESP's events."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from campaigns.models import Send
from customers.models import InteractionKind
from customers.services.activity import EventRow, events_record


def send_click_record(*, send_id: int, product_id: int | None) -> None:
    """First click time on the send; a click on a product is also an interaction event (once
    per send and product), which the recommender learns from."""
    now = timezone.now()
    with transaction.atomic():
        Send.objects.filter(pk=send_id, clicked_at__isnull=True).update(clicked_at=now)
        customer_id = Send.objects.filter(pk=send_id).values_list("customer_id", flat=True).first()
        if customer_id is not None and product_id is not None:
            events_record([EventRow("email", f"click:{send_id}:{product_id}", customer_id, product_id,
                                    InteractionKind.CLICK, now, {"send": send_id})])  # fmt: skip
