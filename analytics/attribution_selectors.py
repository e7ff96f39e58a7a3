"""Reads of attribution's figures: what each recommendation strategy showed and earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from analytics.attribution_models import CampaignConversions, StrategyPerformance
from analytics.selectors import EMAIL_COUNTS, EmailFigures, campaign_performance_over_time


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


@dataclass
class CampaignDayFigures(EmailFigures):
    """One variant of a campaign on one day: its email events and the purchases attributed to
    it that day (revenue in ``settings.DEFAULT_CURRENCY``, as attribution counts it)."""

    day: date
    variant_id: int
    variant: str  # its label


def campaign_figures_over_time(*, campaign_id: int) -> list[CampaignDayFigures]:
    """Each day and variant with an email event or an attributed purchase, oldest first (then
    by variant): the campaign performance and its conversions, joined in two queries."""
    found: dict[tuple[date, int], CampaignDayFigures] = {}
    for row in campaign_performance_over_time(campaign_id=campaign_id):
        figures = CampaignDayFigures(row.day, row.variant_id, row.variant.label)
        for name in EMAIL_COUNTS:
            setattr(figures, name, getattr(row, name))
        found[row.day, row.variant_id] = figures
    conversions = CampaignConversions.objects.filter(campaign_id=campaign_id).values_list(
        "day", "variant_id", "variant__label", "converted", "revenue"
    )
    for day, variant_id, label, converted, revenue in conversions:
        figures = found.setdefault((day, variant_id), CampaignDayFigures(day, variant_id, label))
        figures.converted, figures.revenue = converted, revenue
    return sorted(found.values(), key=lambda figures: (figures.day, figures.variant))
