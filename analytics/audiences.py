"""Who the RFM and cohort segment rules hold, read from the aggregates as subqueries: a segment
is counted or listed in one query, however many customers it holds."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from django.db.models import F, QuerySet

from analytics.models import PurchaseMonth
from analytics.rfm import RfmSegment
from analytics.selectors import rfm_scores


def rfm_segment_customers(segments: Collection[RfmSegment]) -> QuerySet[Any]:
    """The ids (``customer_id``) of the buyers whose RFM scores fall in one of ``segments``."""
    named = [RfmSegment(segment).value for segment in segments]
    return rfm_scores().filter(segment__in=named).values("customer_id")  # type: ignore[misc]  # rfm_scores annotates it


def cohort_customers(*, first: date | None = None, last: date | None = None) -> QuerySet[Any]:
    """The ids (``customer_id``) of the customers whose first purchase fell in a month from
    ``first``'s to ``last``'s (either open), as cohort retention groups them."""
    rows = PurchaseMonth.objects.filter(month=F("cohort"))  # each customer's first month, once
    if first is not None:
        rows = rows.filter(cohort__gte=first.replace(day=1))
    if last is not None:
        rows = rows.filter(cohort__lte=last.replace(day=1))
    return rows.values("customer_id")
