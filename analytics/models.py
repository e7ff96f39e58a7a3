"""Aggregates marketers read over time, kept up to date incrementally and rebuildable from the
rows they summarise.

Each table holds one row per key and only keys with something to count. A day is a date in
``settings.TIME_ZONE``. Writers note the keys they touch in ``AggregateChange`` within their own
transaction (``analytics.services.changes``); ``aggregates_refresh`` recomputes those keys.
"""

from __future__ import annotations

from django.db import models

from analytics import attribution_models  # noqa: F401 - attribution's models, in a module of their own
from campaigns.models import Campaign, CampaignVariant
from customers.models import Customer


class DailyActivity(models.Model):
    """What customers did on one day. Active: a purchase line (sale or return), an interaction
    event or a message that day. Orders as ``customers.ownership`` tells them apart."""

    day = models.DateField(unique=True)
    active_customers = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        verbose_name_plural = "daily activity"

    def __str__(self) -> str:
        return f"Activity on {self.day}"


class DailyRevenue(models.Model):
    """Net revenue of one day in one currency: sale lines less returns (never summed across
    currencies)."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    revenue = models.DecimalField(max_digits=16, decimal_places=3)

    class Meta:
        ordering = ["day", "currency"]
        constraints = [models.UniqueConstraint(fields=["day", "currency"], name="daily_revenue_key")]

    def __str__(self) -> str:
        return f"{self.revenue} {self.currency} on {self.day}"


class CustomerEngagement(models.Model):
    """One customer's purchases and email engagement, the source of RFM scores. ``monetary``:
    sale lines less returns in ``settings.DEFAULT_CURRENCY`` (lines in other currencies are left
    out: they cannot be added without exchange rates)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="engagement")
    first_purchase_at = models.DateTimeField(null=True)
    last_purchase_at = models.DateTimeField(null=True)
    orders = models.PositiveIntegerField(default=0)
    monetary = models.DecimalField(max_digits=16, decimal_places=3, default=0)
    emails_sent = models.PositiveIntegerField(default=0)
    emails_delivered = models.PositiveIntegerField(default=0)
    emails_opened = models.PositiveIntegerField(default=0)
    emails_clicked = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True)
    last_clicked_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["customer"]

    def __str__(self) -> str:
        return f"Engagement of customer {self.customer_id}"


class PurchaseMonth(models.Model):
    """A month in which a customer bought something, with the month of their first purchase
    (their cohort): what cohort retention counts."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchase_months")
    month = models.DateField(help_text="The month's first day.")
    cohort = models.DateField(help_text="The first day of the month of the customer's first purchase.")

    class Meta:
        ordering = ["customer", "month"]
        constraints = [models.UniqueConstraint(fields=["customer", "month"], name="purchase_month_key")]
        indexes = [models.Index(fields=["cohort", "month"], name="purchase_month_cohort")]

    def __str__(self) -> str:
        return f"Customer {self.customer_id} bought in {self.month:%Y-%m}"


class CampaignPerformance(models.Model):
    """A campaign variant's email events on one day, each counted on the day of its stamp."""

    day = models.DateField()
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="performance")
    variant = models.ForeignKey(CampaignVariant, on_delete=models.CASCADE, related_name="performance")
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    clicked = models.PositiveIntegerField(default=0)
    unsubscribed = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)
    complained = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "campaign", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["day", "campaign", "variant"], name="campaign_performance_key")
        ]
        indexes = [models.Index(fields=["campaign", "day"], name="campaign_performance_by_day")]

    def __str__(self) -> str:
        return f"{self.variant_id} on {self.day}"


class ChangeKind(models.IntegerChoices):
    DAY = 1, "Day"  # ``day``: its daily activity and revenue
    CUSTOMER = 2, "Customer"  # ``ref``: the customer's engagement and purchase months
    SEND = 3, "Send"  # ``ref``: the send's stamps, read again at refresh (stamps are set once)
    CAMPAIGN_DAY = 4, "Campaign variant on a day"  # ``day`` and ``ref`` (the variant): a send deleted


class AggregateChange(models.Model):
    """ "The aggregates of this key may be stale": written in the writer's transaction, removed by
    the refresh that recomputed the key. A row says nothing about what changed, so replaying one
    is always safe."""

    kind = models.PositiveSmallIntegerField(choices=ChangeKind.choices)
    day = models.DateField(null=True)
    ref = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day or ''} {self.ref or ''}".strip()


class AggregateRefresh(models.Model):
    """The one row refreshes lock (``select_for_update``) so that two never overlap, and what
    the last one did."""

    refreshed_at = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)
    changes = models.PositiveIntegerField(default=0, help_text="Changes the last refresh applied.")

    def __str__(self) -> str:
        return f"Aggregates refreshed at {self.refreshed_at}"
