from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from marketing_platform.money import money_text


class Category(models.Model):
    """A node of the product category tree (roots and leaves, addressed by slug)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField("stock code / SKU", max_length=64, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    price = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="GBP")
    image = models.ImageField(upload_to="products/", blank=True)
    image_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="A picture elsewhere, used when no image is stored: fetched safely (public "
        "addresses only, size and time limits) when a vision board is drawn.",
    )
    tags = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        indexes = [models.Index(fields=["category", "active"])]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"

    @property
    def display_price(self) -> str:
        """``£2.95``; ``2.95 SEK`` for a currency without a sign here."""
        return money_text(self.price, self.currency)
