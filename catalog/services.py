"""Writes to the catalog: the category tree and products."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog.demo_photos import photo_for, photo_rules
from catalog.models import Category, Product
from catalog.taxonomy import OTHER, TAXONOMY
from graph.models import GraphEntity
from graph.services.sync import graph_changes_record
from marketing_platform.api.errors import WriteConflict
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


# The root under which a shop's own category names (from an import file) become categories.
SHOP_CATEGORIES = ("Shop categories", "shop-categories")


def categories_create_missing(names: Sequence[str]) -> dict[str, int]:
    """Categories for names a shop uses that the tree lacks (matched by slug or by name, case
    ignored): leaves of the "Shop categories" root. Returns each name, casefolded, → id."""
    known = {slug.casefold(): pk for pk, slug in Category.objects.values_list("pk", "slug")}
    known |= {name.casefold(): pk for pk, name in Category.objects.values_list("pk", "name")}
    wanted: dict[str, str] = {}
    for name in names:
        if name.strip():
            wanted.setdefault(name.strip().casefold(), name.strip())  # the first spelling names it
    missing = [name for key, name in sorted(wanted.items()) if key not in known]
    if missing:
        name, slug = SHOP_CATEGORIES
        root, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
        taken = set(Category.objects.values_list("slug", flat=True))
        for position, given in enumerate(missing):
            base = slugify(given)[:90] or "category"
            candidate, n = base, 1
            while candidate in taken:
                n += 1
                candidate = f"{base}-{n}"
            taken.add(candidate)
            known[given.casefold()] = Category.objects.create(
                name=given[:100], slug=candidate, parent=root, position=position
            ).pk
    return {key: known[key] for key in wanted}


def products_create_missing(products: Sequence[Product]) -> tuple[WriteCounts, dict[str, int]]:
    """Create products whose SKU is new; stored products are left as they are.

    Returns the counts and the SKU → id map of every given product.
    """
    with transaction.atomic():
        counts, ids = create_missing_by(Product, "sku", products)
        graph_changes_record(GraphEntity.PRODUCT, ids.values())
    return counts, ids


def product_create(**fields: Any) -> Product:
    """Create a product; a SKU already in the catalog is a 409."""
    try:
        with transaction.atomic():
            return Product.objects.create(**fields)
    except IntegrityError as exc:
        raise SkuTaken from exc


@transaction.atomic
def product_update(*, product: Product, **changes: Any) -> Product:
    locked = Product.objects.select_for_update().get(pk=product.pk)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, changes[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return locked


class SkuTaken(WriteConflict):
    default_code = "sku_taken"
    default_detail = "A product with this SKU exists; update it instead."


def demo_photos_attach(folder: Path) -> dict[str, int]:
    """Give products without an image the demo photo that fits them (``demo_photos``); each
    file is stored once and shared. Products that have an image keep it, so this can run again.
    Returns how many products got each file."""
    rules = photo_rules(folder)
    chosen: dict[str, list[int]] = defaultdict(list)
    for pk, sku, name in Product.objects.filter(image="").values_list("pk", "sku", "name"):
        if file := photo_for(name, sku, rules):
            chosen[file].append(pk)
    attached = {}
    for file, ids in sorted(chosen.items()):
        stored = f"products/demo/{file}"
        if not default_storage.exists(stored):
            with (folder / file).open("rb") as photo:
                stored = default_storage.save(stored, File(photo))
        attached[file] = Product.objects.filter(pk__in=ids, image="").update(
            image=stored, updated_at=timezone.now()
        )
    return attached
