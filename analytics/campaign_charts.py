"""A campaign's performance over time for its admin page: per variant, what its emails did each
day (sent, opened, clicked) and the purchases attributed to them. Two queries."""

from __future__ import annotations

from datetime import timedelta

from django.utils.formats import date_format

from analytics.attribution_selectors import campaign_figures_over_time
from campaigns.models import Campaign
from marketing_platform.charts import Chart, ChartKind, Palette

MEASURES = ("sent", "opened", "clicked", "converted")
BARS_UP_TO_DAYS = 7  # a few days read better as bars side by side; more as lines


def campaign_performance_charts(campaign: Campaign) -> list[Chart]:
    """One chart per variant over the days from the campaign's first figure to its last (none
    before the aggregates first counted its emails)."""
    figures = {(row.day, row.variant_id): row for row in campaign_figures_over_time(campaign_id=campaign.pk)}
    if not figures:
        return []
    first, last = min(day for day, _ in figures), max(day for day, _ in figures)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    measures = Palette()
    labels = {row.variant_id: row.variant for row in figures.values()}
    variants = sorted(labels, key=lambda pk: (labels[pk], pk))
    return [
        Chart(
            key=f"campaign-variant-{variant}",
            title=f"Variant {labels[variant]}, per day",
            kind=ChartKind.BAR if len(days) <= BARS_UP_TO_DAYS else ChartKind.LINE,
            labels=[date_format(day, "j M Y") for day in days],
            series=[
                measures.series(
                    name.capitalize(),
                    [
                        getattr(figures[day, variant], name) if (day, variant) in figures else 0
                        for day in days
                    ],
                )
                for name in MEASURES
            ],
            label_title="Day",
            unit="emails",
            summed=False,
        )
        for variant in variants
    ]
