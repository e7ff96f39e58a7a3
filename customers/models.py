"""Customers and what they do: purchases, interaction events and interests (with history)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from catalog.models import Category, Product
from marketing_platform.models import SourceKeyedModel


class Customer(models.Model):
    external_id = models.CharField(max_length=64, unique=True, help_text="The id frontends and imports use.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
        help_text="The customer's own login: it reads only this customer's data.",
    )
    # NULL, not "", when absent: the unique constraint must ignore customers without one.
    email = models.EmailField(null=True, blank=True)  # noqa: DJ001
    name = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=64, blank=True, db_index=True)
    profile = models.JSONField(default=dict, blank=True)
    marketing_consent = models.BooleanField(default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    interests_stale_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Set with new purchases, cleared when inferred interests are recomputed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["external_id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=Q(email__isnull=False), name="customer_email_unique_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"Customer {self.external_id}"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


class PurchaseKind(models.TextChoices):
    SALE = "sale", "Sale"
    RETURN = "return", "Return / cancellation"


class Purchase(SourceKeyedModel):
    """One purchased (or returned) line; its external id is invoice + line, or the client's id."""

    invoice = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField(max_length=8, choices=PurchaseKind.choices, default=PurchaseKind.SALE)
    # Indexed through the composite indexes below, which lead with these columns.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="purchases", db_index=False)
    quantity = models.IntegerField(help_text="Negative for returns.")
    unit_price = models.DecimalField(max_digits=12, decimal_places=3)
    amount = models.DecimalField(max_digits=14, decimal_places=3)
    currency = models.CharField(max_length=3, default="GBP")
    purchased_at = models.DateTimeField()

    class Meta(SourceKeyedModel.Meta):
        ordering = ["-purchased_at", "-pk"]
        constraints = [
            *SourceKeyedModel.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(kind=PurchaseKind.SALE, quantity__gt=0))
                | (Q(kind=PurchaseKind.RETURN, quantity__lt=0)),
                name="purchase_quantity_sign_matches_kind",
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchase_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["customer", "-purchased_at"]),
            models.Index(fields=["product", "-purchased_at"]),
            models.Index(fields=["purchased_at"]),
        ]

    def __str__(self) -> str:
        """Named by its invoice, as the shop knows it (``Sale on invoice 536365``)."""
        on = f"invoice {self.invoice}" if self.invoice else f"{self.source} line {self.external_id}"
        return f"{self.get_kind_display()} on {on}"


class InteractionKind(models.TextChoices):
    VIEW = "view", "View"
    CLICK = "click", "Click"
    CART_ADD = "cart_add", "Added to cart"
    PURCHASE = "purchase", "Purchase"


class InteractionEvent(SourceKeyedModel):
    """Implicit feedback; its weight comes from ``settings.INTERACTION_WEIGHTS`` by kind."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField()

    class Meta(SourceKeyedModel.Meta):
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.product_id} by {self.customer_id}"


class InterestTopic(models.Model):
    """The first level of the interest taxonomy (e.g. "Seasonal")."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Interest(models.Model):
    """A value within a topic (e.g. Seasonal › Christmas), addressed as ``topic/value``."""

    topic = models.ForeignKey(InterestTopic, on_delete=models.PROTECT, related_name="interests")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    product_category = models.OneToOneField(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interest",
        help_text="Purchases in this category are evidence for the interest.",
    )

    class Meta:
        ordering = ["topic__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "slug"], name="interest_slug_unique_in_topic")
        ]

    def __str__(self) -> str:
        return f"{self.topic.name} › {self.name}"

    @property
    def key(self) -> str:
        """``topic/value``: how the API and imports name it."""
        return f"{self.topic.slug}/{self.slug}"


class InterestSource(models.TextChoices):
    DECLARED = "declared", "Declared by the customer"
    PURCHASES = "purchases", "Inferred from purchases"
    MESSAGES = "messages", "Inferred from messages"


class CustomerInterestQuerySet(models.QuerySet["CustomerInterest"]):
    def current(self) -> CustomerInterestQuerySet:
        return self.filter(valid_to__isnull=True)

    def as_of(self, moment: datetime) -> CustomerInterestQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=moment), valid_from__lte=moment)


class CustomerInterest(models.Model):
    """One version of a customer's interest from one source.

    Rows are never updated in place except to close them: a change closes the
    current row (``valid_to``) and adds a new one, so the profile at any past
    moment is the set of rows whose validity interval contains it.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interests")
    interest = models.ForeignKey(Interest, on_delete=models.PROTECT, related_name="customer_interests")
    source = models.CharField(max_length=16, choices=InterestSource.choices)
    confidence = models.FloatField()
    evidence = models.JSONField(default=dict, blank=True)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_to = models.DateTimeField(null=True, blank=True)

    objects = CustomerInterestQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "interest", "source"],
                condition=Q(valid_to__isnull=True),
                name="customer_interest_one_current_per_source",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="confidence_in_unit_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="customer_interest_valid_interval",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "valid_from"]),
            models.Index(fields=["-valid_from", "-id"], name="customer_interest_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.confidence:.2f}"


class FeedbackKind(models.TextChoices):
    NOT_FOR_ME = "not_for_me", "Not for me"
    MORE_LIKE_THIS = "more_like_this", "More like this"


class ProductFeedback(models.Model):
    """What a customer said about a product it was shown: its current word, one per product.

    A state, not an event: the customer may take it back or say the opposite, and every reader
    (serving, training, the export) wants only what stands now. The unique constraint makes a
    repeated request a no-op and the opposite kind a replacement.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="feedback")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(max_length=16, choices=FeedbackKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="product_feedback_one_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.product_id} by {self.customer_id}"
