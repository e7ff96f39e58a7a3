"""A customer's feedback on products it was shown: "not for me" and "more like this"."""

from __future__ import annotations

from django.db import transaction

from customers.models import FeedbackKind, ProductFeedback
from customers.services.customers import customer_lock
from marketing_platform.transactions import after_commit
from recommendations.cache import recommendations_invalidate


def product_feedback_give(
    *, customer_id: int, product_id: int, kind: FeedbackKind
) -> tuple[ProductFeedback, bool]:
    """Make ``kind`` the customer's word on the product; returns it and whether anything changed.

    The same word again changes nothing; the opposite one replaces it. A change drops the
    customer's cached recommendations after commit, which re-renders its vision board through
    ``recommendations_changed`` (debounced there).
    """
    with transaction.atomic():
        customer_lock(customer_id)
        feedback = ProductFeedback.objects.filter(customer_id=customer_id, product_id=product_id).first()
        if feedback is not None and feedback.kind == kind:
            return feedback, False
        if feedback is None:
            feedback = ProductFeedback.objects.create(
                customer_id=customer_id, product_id=product_id, kind=kind
            )
        else:
            feedback.kind = kind
            feedback.save(update_fields=["kind", "updated_at"])
        after_commit(recommendations_invalidate, [customer_id])
    return feedback, True


def product_feedback_withdraw(*, customer_id: int, product_id: int) -> bool:
    """Take the customer's word on the product back (whatever it was); False when there was none."""
    with transaction.atomic():
        customer_lock(customer_id)
        deleted, _ = ProductFeedback.objects.filter(customer_id=customer_id, product_id=product_id).delete()
        if deleted:
            after_commit(recommendations_invalidate, [customer_id])
    return bool(deleted)
