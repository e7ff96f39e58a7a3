"""Reads of the catalog."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Category, Product


def products_list() -> QuerySet[Product]:
    return Product.objects.select_related("category__parent")


def category_with_descendant_ids(slug: str) -> list[int]:
    """The category and, for a root, its leaves: filtering by a root finds its whole branch."""
    return list(Category.objects.filter(slug=slug).values_list("pk", flat=True)) + list(
        Category.objects.filter(parent__slug=slug).values_list("pk", flat=True)
    )
