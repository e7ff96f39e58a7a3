"""Reads of attribution's figures: what each recommendation strategy showed and earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from analytics.attribution_models import CampaignConversions, StrategyPerformance


@dataclass(frozen=True)
class StrategyFigures:
    strategy: str
    shown: int
    clicked: int
    bought: int  # attributed purchases
    revenue: Decimal  # attributed revenue

    @property
    def conversion_rate(self) -> float:
        """Attributed purchases per product shown."""
        return self.bought / self.shown if self.shown else 0.0


def strategy_performance(*, since: date, until: date, channel: str | None = None) -> list[StrategyFigures]:
    """Per strategy, over the days from ``since`` to ``until`` (both included), on one channel or
    both: most attributed revenue first, then most purchases."""
    rows = StrategyPerformance.objects.filter(day__gte=since, day__lte=until)
    if channel is not None:
        rows = rows.filter(channel=channel)
    totals = rows.values("strategy").annotate(
        shown_=Sum("shown"), clicked_=Sum("clicked"), bought_=Sum("bought"), revenue_=Sum("revenue")
    )
    found = [
        StrategyFigures(
            row["strategy"], row["shown_"], row["clicked_"], row["bought_"], Decimal(row["revenue_"])
        )
        for row in totals
    ]
    return sorted(found, key=lambda figures: (-figures.revenue, -figures.bought, figures.strategy))


def campaign_conversions_over_time(*, campaign_id: int) -> QuerySet[CampaignConversions]:
    """One campaign's attributed purchases per day and variant, oldest first."""
    return CampaignConversions.objects.filter(campaign_id=campaign_id).order_by("day", "variant_id")
