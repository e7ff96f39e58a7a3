"""Tests for the keyword product taxonomy (pure Python, no database)."""

import re

import pytest

from catalog.taxonomy import (
    MATCH_ORDER,
    OTHER,
    TAXONOMY,
    Leaf,
    categorize,
    category_path,
)

ALL_LEAVES: list[Leaf] = [leaf for root in TAXONOMY for leaf in root.leaves]


@pytest.mark.parametrize(
    ("description", "leaf_slug"),
    [
        # Home & living
        ("WHITE HANGING HEART T-LIGHT HOLDER", "lights-candles"),
        ("RABBIT NIGHT LIGHT", "lights-candles"),
        ("ALARM CLOCK BAKELIKE RED", "wall-decor"),
        ("GIN + TONIC DIET METAL SIGN", "wall-decor"),
        ("HEART OF WICKER SMALL", "decorations"),
        ("ASSORTED COLOUR BIRD ORNAMENT", "decorations"),
        ("DOORMAT KEEP CALM AND COME IN", "cushions-textiles"),
        ("HALL CABINET WITH 3 DRAWERS", "furniture"),
        ("SET/3 RED GINGHAM ROSE STORAGE BOX", "storage-organisation"),
        ("PACK OF 12 LONDON TISSUES", "bath-beauty"),
        ("DOG BOWL VINTAGE CREAM", "pets"),
        # Kitchen & dining
        ("ROSES REGENCY TEACUP AND SAUCER", "tableware"),
        ("REGENCY CAKESTAND 3 TIER", "tableware"),
        ("SET OF 3 CAKE TINS PANTRY DESIGN", "baking"),
        ("MEDIUM CERAMIC TOP STORAGE JAR", "kitchen-storage"),
        ("SPACEBOY LUNCH BOX", "lunch-picnic"),
        ("PICNIC BASKET WICKER SMALL", "lunch-picnic"),
        ("JAM MAKING SET WITH JARS", "kitchen-household"),
        ("RED RETROSPOT OVEN GLOVE", "kitchen-household"),
        # Seasonal
        ("PAPER CHAIN KIT 50'S CHRISTMAS", "christmas"),
        ("SET 10 CARDS SNOWY ROBIN 17099", "christmas"),
        ("PINK FELT EASTER EGG BASKET", "easter"),
        # Bags & accessories
        ("JUMBO BAG RED RETROSPOT", "bags"),
        ("CHARLOTTE BAG SUKI DESIGN", "bags"),
        ("5 STRAND GLASS NECKLACE AMBER", "jewellery"),
        ('LETTER "A" BLING KEY RING', "fashion-accessories"),
        ("HAND WARMER UNION JACK", "fashion-accessories"),
        ("TRAVEL CARD WALLET SKULLS", "fashion-accessories"),
        # Gifts & stationery
        ("GARDEN PATH NOTEBOOK", "stationery"),
        ("WRAP RED APPLES", "cards-wrap"),
        ("PARTY BUNTING", "party"),
        ("PACK OF 6 SKULL PAPER CUPS", "party"),
        ("PAPER CRAFT , LITTLE BIRDIE", "arts-crafts"),
        # Kids & toys
        ("MINI JIGSAW SPACEBOY", "toys-games"),
        ("CHILDRENS CUTLERY SPACEBOY", "kids-essentials"),
        ("SPACEBOY CHILDRENS EGG CUP", "kids-essentials"),
        # Garden & outdoor
        ("ENAMEL WATERING CAN CREAM", "gardening"),
        ("TUSCAN VILLA BIRD FEEDER", "outdoor-living"),
    ],
)
def test_real_descriptions_land_in_expected_leaf(description: str, leaf_slug: str) -> None:
    assert categorize(description) == leaf_slug


@pytest.mark.parametrize(
    ("description", "leaf_slug"),
    [
        # Seasonal keywords beat product types.
        ("CHRISTMAS TREE T-LIGHT HOLDER", "christmas"),
        ("HEART T-LIGHT HOLDER", "lights-candles"),
        ("JUMBO BAG 50'S CHRISTMAS", "christmas"),
        # A longer phrase beats a shorter one.
        ("LUNCH BAG RED RETROSPOT", "lunch-picnic"),
        ("PACK OF 72 RETROSPOT CAKE CASES", "baking"),
        ("RED RETROSPOT ROUND CAKE TINS", "baking"),
        ("CHOCOLATE HOT WATER BOTTLE", "cushions-textiles"),
        ("CARD HOLDER GINGHAM HEART", "wall-decor"),
        ("MINI PLAYING CARDS SPACEBOY", "toys-games"),
        ("BIRTHDAY CARD, RETRO SPOT", "cards-wrap"),
        # Equal length: the leaf listed first in MATCH_ORDER wins.
        ("S/4 PINK FLOWER CANDLES IN BOWL", "lights-candles"),
        ("BAG 125g SWIRLY MARBLES", "toys-games"),
        # Packaging is ignored, the product decides.
        ("PACK OF 6 SWEETIE GIFT BOXES", "cards-wrap"),
        ("BLUE  DIAMANTE PEN IN GIFT BOX", "stationery"),
        ("TEA TIME TEAPOT IN GIFT BOX", "tableware"),
        ("BLUE GLASS GEMS IN BAG", "decorations"),
    ],
)
def test_specific_keywords_win(description: str, leaf_slug: str) -> None:
    assert categorize(description) == leaf_slug


def test_match_is_case_whitespace_and_plural_insensitive() -> None:
    assert categorize("  white hanging\theart   t-light holder \n") == "lights-candles"
    assert categorize("RETRO COFFEE MUGS ASSORTED") == "tableware"
    assert categorize("SET 3 WICKER STORAGE BASKETS") == "storage-organisation"


def test_keywords_match_whole_words_only() -> None:
    # "PEN", "RING" and "TIN" are keywords, but not inside other words.
    assert categorize("PENGUIN") == "other"
    assert categorize("STRING") == "other"
    assert categorize("MARTINI") == "other"
    assert categorize("PEN") == "stationery"


@pytest.mark.parametrize("description", ["", "   ", "\t\n", "PAINTED METAL PEARS ASSORTED"])
def test_empty_or_unknown_description_is_other(description: str) -> None:
    assert categorize(description) == "other"


def test_slugs_are_unique_and_well_formed() -> None:
    slugs = [OTHER.slug]
    for root in TAXONOMY:
        slugs.append(root.slug)
        slugs.extend(leaf.slug for leaf in root.leaves)
    assert len(slugs) == len(set(slugs))
    assert all(re.fullmatch(r"[a-z]+(?:-[a-z]+)*", slug) for slug in slugs)
    assert OTHER.slug == "other"
    assert OTHER.leaves == ()


def test_each_keyword_belongs_to_exactly_one_leaf() -> None:
    owners: dict[str, list[str]] = {}
    for leaf in ALL_LEAVES:
        assert leaf.keywords, leaf.slug
        for keyword in leaf.keywords:
            assert keyword == keyword.upper().strip(), keyword
            owners.setdefault(" ".join(keyword.split()), []).append(leaf.slug)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_match_order_lists_every_leaf_once() -> None:
    assert sorted(MATCH_ORDER) == sorted(leaf.slug for leaf in ALL_LEAVES)
    assert len(MATCH_ORDER) == len(set(MATCH_ORDER))


def test_category_path_for_leaf_and_other() -> None:
    assert category_path("lights-candles") == ("home-living", "lights-candles")
    assert category_path("christmas") == ("seasonal", "christmas")
    assert category_path("other") == ("other",)
    for root in TAXONOMY:
        for leaf in root.leaves:
            assert category_path(leaf.slug) == (root.slug, leaf.slug)


def test_category_path_rejects_unknown_slug() -> None:
    with pytest.raises(KeyError):
        category_path("no-such-category")
