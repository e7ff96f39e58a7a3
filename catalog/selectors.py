"""Reads of the catalog."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Category, Product
from marketing_platform.media import media_path, media_url


def products_list() -> QuerySet[Product]:
    return Product.objects.select_related("category__parent")


def category_with_descendant_ids(slug: str) -> list[int]:
    """The category and, for a root, its leaves: filtering by a root finds its whole branch."""
    return list(Category.objects.filter(slug=slug).values_list("pk", flat=True)) + list(
        Category.objects.filter(parent__slug=slug).values_list("pk", flat=True)
    )


def category_tree() -> list[tuple[Category, int]]:
    """Every category with its depth, each parent followed by its children (in their order):
    the tree as a picker lists it. One query."""
    children: dict[int | None, list[Category]] = {}
    for category in Category.objects.order_by("position", "name"):
        children.setdefault(category.parent_id, []).append(category)
    tree: list[tuple[Category, int]] = []
    stack = [(root, 0) for root in reversed(children.get(None, []))]
    while stack:
        category, depth = stack.pop()
        tree.append((category, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(category.pk, [])))
    return tree


def product_picture(product: Product, *, absolute: bool = False) -> str:
    """Where a product's picture is: its stored photo (site-relative, or under ``SITE_URL``
    when ``absolute``, for emails), else its picture elsewhere, else ""."""
    if product.image:
        return media_url(product.image.name) if absolute else media_path(product.image.name)
    return product.image_url
