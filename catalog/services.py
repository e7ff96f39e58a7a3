"""Writes to the catalog: the category tree and products."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from catalog.models import Category, Product
from catalog.taxonomy import OTHER, TAXONOMY
from marketing_platform.bulk import WriteCounts, create_missing_by


@transaction.atomic
def category_tree_sync() -> dict[str, int]:
    """Create the taxonomy's categories that are missing; return slug → id of every node.

    Stored nodes are left as they are, so edits made by staff in the admin survive.
    """
    ids: dict[str, int] = {}
    for position, root in enumerate((*TAXONOMY, OTHER)):
        parent, _ = Category.objects.get_or_create(
            slug=root.slug, defaults={"name": root.name, "position": position}
        )
        ids[root.slug] = parent.pk
        for leaf_position, leaf in enumerate(root.leaves):
            node, _ = Category.objects.get_or_create(
                slug=leaf.slug,
                defaults={"name": leaf.name, "parent": parent, "position": leaf_position},
            )
            ids[leaf.slug] = node.pk
    return ids


def products_create_missing(products: Sequence[Product]) -> tuple[WriteCounts, dict[str, int]]:
    """Create products whose SKU is new; stored products are left as they are.

    Returns the counts and the SKU → id map of every given product.
    """
    return create_missing_by(Product, "sku", products)
