"""A campaign's performance over time for its admin page: per variant, what its emails did each
day (sent, opened, clicked) and the purchases attributed to them. Two queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.utils.formats import date_format

from analytics.attribution_selectors import campaign_conversions_over_time
from analytics.selectors import campaign_performance_over_time
from campaigns.models import Campaign
from marketing_platform.charts import Chart, ChartKind, Palette

MEASURES = ("sent", "opened", "clicked", "converted")
BARS_UP_TO_DAYS = 7  # a few days read better as bars side by side; more as lines


def campaign_performance_charts(campaign: Campaign) -> list[Chart]:
    """One chart per variant over the days from the campaign's first figure to its last (none
    before the aggregates first counted its emails)."""
    figures: dict[tuple[date, int], dict[str, int]] = defaultdict(dict)
    labels: dict[int, str] = {}
    for row in campaign_performance_over_time(campaign_id=campaign.pk):
        figures[row.day, row.variant_id].update(sent=row.sent, opened=row.opened, clicked=row.clicked)
        labels[row.variant_id] = row.variant.label
    for conversions in campaign_conversions_over_time(campaign_id=campaign.pk):
        figures[conversions.day, conversions.variant_id]["converted"] = conversions.converted
    if not figures:
        return []
    first, last = min(day for day, _ in figures), max(day for day, _ in figures)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    measures = Palette()
    variants = sorted({variant for _, variant in figures}, key=lambda pk: (labels.get(pk, ""), pk))
    return [
        Chart(
            key=f"campaign-variant-{variant}",
            title=f"Variant {labels.get(variant, variant)}, per day",
            kind=ChartKind.BAR if len(days) <= BARS_UP_TO_DAYS else ChartKind.LINE,
            labels=[date_format(day, "j M Y") for day in days],
            series=[
                measures.series(
                    name.capitalize(), [figures.get((day, variant), {}).get(name, 0) for day in days]
                )
                for name in MEASURES
            ],
            label_title="Day",
            unit="emails",
            summed=False,
        )
        for variant in variants
    ]
