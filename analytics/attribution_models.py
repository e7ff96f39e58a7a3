"""What was shown, which clicks and purchases it earned, and the daily figures kept from them
(``attribution`` and ``attribution_refresh``). Impressions are recorded as they happen; touches,
conversions and the figures are derived from the source rows and rebuildable from them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, CampaignVariant, Send
from catalog.models import Product
from customers.models import Customer, InteractionEvent, Purchase


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    API = "api", "API"


class Impression(models.Model):
    """A recommended product shown to a customer: in a campaign email when it was rendered for
    sending, or in an API response. ``counted`` once the figures include it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    strategy = models.CharField(max_length=64, help_text="The source that put it in the list.")
    position = models.PositiveSmallIntegerField(help_text="1 for the first item.")
    shown_at = models.DateTimeField(default=timezone.now)
    send = models.ForeignKey(
        Send, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    counted = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["send", "product"], condition=Q(send__isnull=False), name="impression_once_per_send"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "product", "shown_at"], name="impression_customer_product"),
            models.Index(fields=["id"], condition=Q(counted=False), name="impression_uncounted"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} shown to {self.customer_id} by {self.strategy} ({self.channel})"


class Touch(models.Model):
    """A click that can earn a purchase: on a product in a campaign email (its send, campaign and
    variant; the strategy that showed the product there), or a click event on a product the API
    showed the customer within the window before (that showing's strategy)."""

    event = models.OneToOneField(InteractionEvent, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    strategy = models.CharField(max_length=64, blank=True)
    send = models.ForeignKey(Send, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    campaign = models.ForeignKey(
        Campaign, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    variant = models.ForeignKey(
        CampaignVariant, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    clicked_at = models.DateTimeField()
    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "clicked_at"], name="touch_customer_clicked"),
            models.Index(fields=["day", "channel", "strategy"], name="touch_day"),
        ]

    def __str__(self) -> str:
        return f"click by {self.customer_id} on {self.product_id} ({self.channel})"


class Conversion(models.Model):
    """A purchase (a sale line, or a purchase event no sale line of the same order carries)
    credited to the last touch before it (``attribution``); at most one per purchase."""

    sale = models.OneToOneField(Purchase, null=True, on_delete=models.CASCADE, related_name="+")
    event = models.OneToOneField(InteractionEvent, null=True, on_delete=models.CASCADE, related_name="+")
    touch = models.ForeignKey(Touch, on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    strategy = models.CharField(max_length=64, blank=True, help_text="Blank: campaign only.")
    send = models.ForeignKey(Send, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    campaign = models.ForeignKey(
        Campaign, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    variant = models.ForeignKey(
        CampaignVariant, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    order = models.CharField(max_length=160, help_text="The order the purchase came on (ownership).")
    purchased_at = models.DateTimeField()
    day = models.DateField()
    revenue = models.DecimalField(max_digits=14, decimal_places=3, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sale__isnull=False, event__isnull=True)
                | Q(sale__isnull=True, event__isnull=False),
                name="conversion_of_one_purchase",
            )
        ]
        indexes = [models.Index(fields=["day"], name="conversion_day")]

    def __str__(self) -> str:
        return f"purchase by {self.customer_id} of {self.product_id} via {self.channel}"


class StrategyPerformance(models.Model):
    """Per day, channel and strategy: products shown, clicked, bought (attributed purchases) and
    their revenue, each on the day it happened."""

    day = models.DateField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    strategy = models.CharField(max_length=64)
    shown = models.PositiveIntegerField(default=0)
    clicked = models.PositiveIntegerField(default=0)
    bought = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=3, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "channel", "strategy"], name="strategy_performance_key")
        ]

    def __str__(self) -> str:
        return f"{self.strategy} ({self.channel}) on {self.day}"


class CampaignConversions(models.Model):
    """Per day of purchase, campaign and variant: attributed orders and their revenue; keyed as
    the campaign performance per day and variant, onto which it joins."""

    day = models.DateField()
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", db_index=False)
    variant = models.ForeignKey(CampaignVariant, on_delete=models.CASCADE, related_name="+", db_index=False)
    converted = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=3, default=0)

    class Meta:
        verbose_name_plural = "campaign conversions"
        constraints = [
            models.UniqueConstraint(fields=["day", "campaign", "variant"], name="campaign_conversions_key")
        ]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} variant {self.variant_id} on {self.day}"


class AttributionWatermark(models.Model):
    """The one row the refresh locks: the last sale line and event it has read for good."""

    last_sale_id = models.BigIntegerField(default=0)
    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sales ≤ {self.last_sale_id}, events ≤ {self.last_event_id}"
