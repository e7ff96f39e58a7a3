"""Two-level keyword taxonomy that places products in categories by their description.

Each leaf lists upper-case keywords. A keyword matches whole words only, plus its plural with a
trailing S or ES ("MUG" matches "MUGS", "BOX" matches "BOXES"). Matching ignores case,
punctuation, extra whitespace and packaging phrases such as "IN GIFT BOX". Some keywords copy
misspellings found in the catalogue ("NECKL", "BRACLET", "ARTIIFCIAL FLOWER").

When a description matches keywords of several leaves, the most specific keyword wins:

1. Seasonal keywords (the "seasonal" root) beat all others: a Christmas jumbo bag is Christmas.
2. Otherwise the longer phrase wins: "LUNCH BAG" (two words) beats "BAG",
   "CAKE TIN" beats "TIN", "HOT WATER BOTTLE" beats "BOTTLE".
3. Between keywords of equal length, the leaf listed first in MATCH_ORDER wins:
   "CANDLE" beats "BOWL" because lights come before tableware.

Descriptions that match nothing belong to the root-level category OTHER.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Leaf:
    """A leaf category: display name, unique slug and the keywords that select it."""

    name: str
    slug: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Root:
    """A top-level category grouping leaves."""

    name: str
    slug: str
    leaves: tuple[Leaf, ...]


# fmt: off
TAXONOMY: tuple[Root, ...] = (
    Root("Home & living", "home-living", (
        Leaf("Lights & candles", "lights-candles", (
            "T-LIGHT", "T-LIGHT HOLDER", "TEA LIGHT", "TEALIGHT", "CANDLE", "CANDLEHOLDER",
            "CANDLESTICK", "CANDLESTAND", "CANDLEPOT", "CHOCOLATECANDLE", "CANDELABRA", "LANTERN",
            "LAMP", "LAMPSHADE", "LIGHTS", "NIGHT LIGHT", "TABLE LIGHT", "BEDSIDE LIGHT",
            "FAIRY LIGHT", "LIGHT CHAIN", "LIGHT GARLAND", "LIGHT DECORATION", "UBO-LIGHT",
            "LIGHTBULB", "BULB", "CHANDELIER", "VOTIVE", "INCENSE", "OIL BURNER", "FRAGRANCE OIL",
            "TORCH",
        )),
        Leaf("Wall decor & clocks", "wall-decor", (
            "SIGN", "DOORSIGN", "WALL ART", "FRAME", "PHOTOFRAME", "PHOTO", "CLOCK", "MIRROR",
            "DOORSTOP", "PLAQUE", "MAGNET", "CHALKBOARD", "BLACKBOARD", "BLACK BOARD",
            "CARD HOLDER", "CARDHOLDER", "DOOR HANGER", "TILE", "KITCHEN PRINT", "ART PICTURE",
            "THERMOMETER", "DOORBELL", "SCREEN",
        )),
        Leaf("Decorations & ornaments", "decorations", (
            "DECORATION", "BIRDHOUSE DECORATION", "ORNAMENT", "GARLAND", "WREATH", "MOBILE",
            "CHIME", "WINDCHIME", "HEART", "STAR", "WICKER", "FILIGREE", "PARASOL", "BLOCK WORD",
            "BLOCK LETTERS", "WOOD LETTERS", "VASE", "ARTIFICIAL FLOWER", "ARTIIFCIAL FLOWER",
            "ART FLOWER", "CLOCHE", "FEATHER TREE", "DISCO BALL", "GNOME", "FLYING DUCKS",
            "ROCKING HORSE", "BIRDCAGE", "GEMS", "ACRYLIC JEWEL", "TOADSTOOL", "MUSHROOM",
            "SCENTED FLOWER", "HANGING", "DECORATIVE", "CLIP", "FEATHER", "PORCELAIN ROSE",
            "PAPER FLOWERS", "HEN HOUSE", "PRINT", "BOTTLE", "BELL JAR",
        )),
        Leaf("Cushions & textiles", "cushions-textiles", (
            "CUSHION", "SQUARECUSHION", "C/COVER", "DOORMAT", "HOT WATER BOTTLE", "HOTTIE",
            "KNITTED THROW", "FAUX FUR", "BLANKET", "QUILT", "CURTAIN", "FILLER PAD", "MAT", "RUG",
            "TABLE RUN",
        )),
        Leaf("Furniture", "furniture", (
            "CABINET", "CHAIR", "STOOL", "LOVE SEAT", "POUFFE", "TRAY TABLE", "STEEL TABLE",
            "ROUND TABLE", "SHELVING UNIT", "SHELF UNIT", "DESK", "CUPBOARD", "UMBRELLA STAND",
            "CHEST OF DRAWERS",
        )),
        Leaf("Storage & organisation", "storage-organisation", (
            "STORAGE", "BOX", "BASKET", "DRAWER", "DRAWERKNOB", "HOOK", "TILE HOOK", "CUP HOOK",
            "LETTER TRAY", "TRINKET TRAY", "RACK", "KNOB", "ORGANISER", "SHELF", "TRINKET", "TIDY",
            "SHOE TIDY", "HANGER", "COATHANGER", "CRATE", "CHEST", "MEMOBOARD", "MEMO BOARD",
            "KEY HOLDER", "LETTER HOLDER", "JEWELLERY BOX", "JEWELLERY STAND", "JEWEL STAND",
            "JEWELLERY DRAWER", "PEG HANGER", "TRINKET POT", "DRESSING TABLE POT", "LINERS", "BIN",
            "BUCKET", "NEWSPAPER STAND",
        )),
        Leaf("Bath & beauty", "bath-beauty", (
            "BATHROOM", "SOAP", "BATH", "WASHBAG", "TOILET", "TOILETTE", "COSMETIC", "COTTON WOOL",
            "FLANNEL", "TOWEL", "LIP GLOSS", "TISSUE", "PLASTERS", "NAIL", "PERFUME", "BALM",
            "SHOWER CAP",
        )),
        Leaf("Pets", "pets", ("DOG BOWL", "CAT BOWL", "DOG FOOD", "CAT FOOD")),
    )),
    Root("Kitchen & dining", "kitchen-dining", (
        Leaf("Tableware", "tableware", (
            "MUG", "CUP", "TEACUP", "SAUCER", "PLATE", "BOWL", "FRUITBOWL", "DISH", "JUG", "TEAPOT",
            "CUTLERY", "SPOON", "TEASPOON", "FORK", "KNIFE", "BEAKER", "TUMBLER", "COASTER",
            "PLACEMAT", "TILE COASTER", "CAKESTAND", "CAKE STAND", "TRAY", "TEA SET", "POPCORN",
            "TEA GLASS", "WINE GLASS", "CHAMPAGNE GLASS", "APERITIF GLASS", "MILKSHAKE GLASS",
            "D.O.F. GLASS", "CHALICE", "GOBLET", "PLACE SETTING", "CHOPSTICK", "PLATTER", "CHARGER",
            "TABLECLOTH", "TABLE CLOTH", "TEA FOR ONE", "SUGAR TONGS", "TEA STRAINER", "TOASTRACK",
            "SALT AND PEPPER", "CAKE SLICE", "COFFEE SET", "NAPKIN RING", "NAPKIN CHARM", "LADLE",
            "EGG HOLDER", "EGG WARMER", "EGG COSY", "EGG HOUSE", "TEA COSY", "DISPENSER",
        )),
        Leaf("Baking", "baking", (
            "CAKE CASE", "MINI CASES", "CAKE TIN", "BAKING", "MOULD", "COOKIE CUTTER",
            "BISCUIT CUTTER", "ICING", "PETIT FOUR CASE", "ROLLING PIN", "PASTRY BRUSH",
            "LACE PAPER", "MIXING BOWL", "CAKE CARRIER", "DOILIES", "LOLLY MAKERS",
        )),
        Leaf("Kitchen storage", "kitchen-storage", (
            "JAR", "TIN", "HERB TIN", "CANISTER", "CANNISTER", "BREAD BIN", "BISCUIT BARREL",
            "BISCUIT BIN", "CADDY", "TEA COFFEE SUGAR", "CONTAINER", "FOOD COVER", "MILK BOTTLE",
            "POT",
        )),
        Leaf("Lunch & picnic", "lunch-picnic", (
            "LUNCH BAG", "LUNCH BOX", "SNACK BOX", "PICNIC", "FLASK",
        )),
        Leaf("Kitchen & household", "kitchen-household", (
            "APRON", "TEA TOWEL", "OVEN GLOVE", "OVEN MITT", "JAM MAKING", "CHOPPING BOARD",
            "SCALES", "MEASURING", "KITCHEN", "TIMER", "PAN", "BOTTLE OPENER", "COLANDER",
            "APPLE CORER", "COOKING SET", "RECIPE", "WASHING UP", "SCRUBBING BRUSH", "PEG",
            "IRONING BOARD", "SHOPPING LIST", "UTENSIL", "SPATULA", "WHISK", "GRATER", "SQUEEZER",
            "FLY SWAT", "SCREWDRIVER", "SPIRIT LEVEL", "TOOL SET", "REPAIR KIT", "FIRST AID",
            "MATCHES", "WATER BASIN", "WASH BOWL", "ASHTRAY", "TOAST ITS", "SHOE SHINE",
        )),
    )),
    Root("Seasonal", "seasonal", (
        Leaf("Christmas", "christmas", (
            "CHRISTMAS", "BLACKCHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "SNOWFLAKE",
            "SNOWMAN", "BAUBLE", "NATIVITY", "STOCKING", "HOLLY", "MISTLETOE", "NOEL",
            "JINGLE BELL", "SLEIGH", "YULETIDE", "TINSEL", "CRACKER", "SNOWMEN", "SNOWY",
            "SET 10 CARD",
        )),
        Leaf("Easter", "easter", (
            "EASTER", "CHICK", "BUNNY", "HANGING EGG", "PAPER EGG", "FLOWER EGG", "BUTTERFLY EGG",
        )),
    )),
    Root("Bags & accessories", "bags-accessories", (
        Leaf("Bags", "bags", (
            "BAG", "JUMBO BAG", "SHOPPER", "TOTE", "HANDBAG", "BACKPACK", "RUCKSACK",
            "SHOULDER BAG",
        )),
        Leaf("Jewellery", "jewellery", (
            "NECKLACE", "NECKLAC", "NECKL", "BRACELET", "BRACLET", "EARRING", "RING", "BROOCH",
            "PENDANT", "BANGLE", "ANKLET", "JEWELLERY", "CHOKER", "LARIAT", "CHARM",
        )),
        Leaf("Fashion & travel accessories", "fashion-accessories", (
            "UMBRELLA", "PURSE", "RING PURSE", "WALLET", "CARD WALLET", "HAIR", "HAIRCLIP",
            "HAIRSLIDE", "HAIRBAND", "HAND WARMER", "POCKET WARMER", "GLOVES", "SCARF", "HAT",
            "KEYRING", "KEY RING", "KEY FOB", "KEY-CHAINS", "PASSPORT", "VIPPASSPORT",
            "LUGGAGE TAG", "SUNGLASSES", "GLASSES CASE", "COMB", "EDWARDIAN PARASOL", "FAN",
            "PONCHO", "SLIPPER", "SOCK", "EAR MUFF", "COMPACT MIRROR", "POCKET MIRROR",
            "PHONE CHARM", "BAG CHARM", "TIARA", "CLUSTER SLIDE", "SHOE",
        )),
    )),
    Root("Gifts & stationery", "gifts-stationery", (
        Leaf("Stationery", "stationery", (
            "NOTEBOOK", "NOTE BOOK", "PENCIL", "PEN", "ERASER", "RUBBER", "STICKER", "JOURNAL",
            "SKETCHBOOK", "CALENDAR", "DIARY", "ADDRESS BOOK", "MEMO", "NOTEPAD", "RULER",
            "SHARPENER", "PHOTO ALBUM", "ALBUM", "ENVELOPE", "STATIONERY", "PAPERWEIGHT",
            "P'WEIGHT", "EXERCISE BOOK", "POCKET BOOK", "WRITING SET", "CALCULATOR", "SCISSOR",
            "TAPE", "NOTELETS", "POSTCARD", "BOOK MARK", "BOOKMARK", "BOOKCOVER", "HOLE PUNCH",
        )),
        Leaf("Cards & gift wrap", "cards-wrap", (
            "WRAP", "GIFT TAG", "CARD", "BIRTHDAY CARD", "RIBBON", "TISSUE REAM", "GIFT BAG",
            "PAPER BAG", "GIFT BOX", "GIFT TAPE", "GIFT SACK", "WRAPPING",
        )),
        Leaf("Party", "party", (
            "PARTY", "PARTY BAG", "PARTY CANDLE", "BIRTHDAY CANDLE", "BARRIER TAPE", "BUNTING",
            "NAPKIN", "PAPER CUP", "PAPER PLATE", "BALLOON", "STRAW", "INVITES", "BIRTHDAY",
            "HONEYCOMB", "HONEYCOMB FAN", "PAPER FAN", "CONFETTI", "COCKTAIL", "PENNANT", "ROSETTE",
            "LEIS", "GRASS SKIRT", "SOMBRERO",
        )),
        Leaf("Arts & crafts", "arts-crafts", (
            "CRAFT", "SEWING", "KNITTING", "KNITTING KIT", "STENCIL", "PAPER CHAIN KIT",
            "PAINT SET", "PAINT YOUR OWN", "COLOURING", "CRAYON", "MODELLING CLAY", "CHALK",
            "STAMP SET", "PATCHES", "PIN CUSHION", "CARD KIT", "TAPE MEASURE", "MEASURING TAPE",
            "SCRAP BOOK", "KIT", "FELTCRAFT", "SEW ON",
        )),
    )),
    Root("Kids & toys", "kids-toys", (
        Leaf("Toys & games", "toys-games", (
            "TOY", "DOLL", "SKIPPING ROPE", "SKIPPPING ROPE", "JIGSAW", "JIGSAW TREE", "GAME",
            "CARD GAME", "SNAP CARDS", "PLAYHOUSE", "PLAYING CARDS", "TEDDY", "PUPPET", "KITE",
            "BUBBLES", "MARBLES", "SKITTLES", "DOMINOES", "SPINNING TOP", "HARMONICA", "GLIDER",
            "ALPHABET BLOCKS", "SNAKES & LADDERS", "BINGO", "LUDO", "NAUGHTS & CROSSES",
            "HELICOPTER", "DRAWING SLATE", "TATTOOS", "FLYING DISC", "CROQUET", "ROUNDERS",
            "FARM ANIMAL", "FARMYARD ANIMALS", "BADGES", "WHEELBARROW", "INFLATABLE",
            "CREEPY CRAWLIES", "SPORTING FUN", "EIGHT PIECE", "NINJA RABBIT", "SPACE CADET",
            "STRESS BALL", "PONY", "KNITTED HEN", "GLOW IN DARK", "RATTLE SNAKE",
        )),
        Leaf("Kids' essentials", "kids-essentials", (
            "CHILDRENS", "CHILDREN'S", "CHILDS", "KIDS", "BABY GIFT SET", "BIB", "NURSERY",
            "MONEY BANK", "MONEY BOX", "PIGGY BANK",
        )),
    )),
    Root("Garden & outdoor", "garden-outdoor", (
        Leaf("Gardening", "gardening", (
            "GARDEN MARKER", "GARDEN TOOLS", "HERB GARDEN", "PLANTER", "PLANT", "WATERING CAN",
            "TROWEL", "SEED", "HERB MARKER", "GROW", "KNEELING", "KNEELING MAT", "TWINE",
            "SECATEURS", "SUPPORT",
        )),
        Leaf("Outdoor living", "outdoor-living", (
            "GARDEN THERMOMETER", "GARDEN PARASOL", "BIRD FEEDER", "BIRD HOUSE", "BIRDHOUSE",
            "BIRD TABLE", "DOVECOTE", "HAMMOCK", "WINDMILL", "WINDSOCK", "BEACH SPADE",
            "SEASIDE BUCKET", "SANDCASTLE", "BICYCLE", "FIRE BUCKET", "FOLDING CHAIR",
        )),
    )),
)

OTHER = Root(name="Other", slug="other", leaves=())

# Tie-breaker between keywords with the same number of words: the leaf listed first wins.
# Specific product types come first, broad nouns (BAG, BOX, HEART, DECORATION) last.
MATCH_ORDER: tuple[str, ...] = (
    "christmas", "easter",
    "lunch-picnic", "pets", "cards-wrap", "jewellery", "baking", "kids-essentials",
    "toys-games", "fashion-accessories", "lights-candles", "wall-decor", "cushions-textiles",
    "furniture", "bath-beauty", "kitchen-household", "gardening", "outdoor-living",
    "stationery", "party", "arts-crafts", "tableware", "kitchen-storage", "bags",
    "storage-organisation", "decorations",
)
# fmt: on

_SEASONAL_ROOT = "seasonal"
_PUNCTUATION = re.compile(r"[^\w\s'&+-]")
_LETTER_DIGIT = re.compile(r"(?<=[A-Z])(?=\d)|(?<=\d)(?=[A-Z])")
# Packaging ("MUG IN GIFT BOX", "MARBLES IN BAG") says nothing about the product itself.
_PACKAGING = re.compile(r"\b(?:IN|W) (?:A )?(?:\w+ )?(?:BAG|BOX|TIN|TUBE|BASKET|BUCKET|CRATE)\b")


def _normalize(text: str) -> str:
    """Upper-case; split "NECKL36" into words; drop punctuation (but ' & + -) and packaging."""
    text = _LETTER_DIGIT.sub(" ", _PUNCTUATION.sub(" ", text.upper()))
    text = " ".join(text.split())
    return " ".join(_PACKAGING.sub(" ", text).split())


def _build_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Compile one regex per (leaf, phrase length), ordered by the precedence rules above."""
    leaves = {leaf.slug: (root.slug, leaf) for root in TAXONOMY for leaf in root.leaves}
    groups: dict[tuple[bool, int, int, str], list[str]] = {}
    for position, slug in enumerate(MATCH_ORDER):
        root_slug, leaf = leaves[slug]
        for keyword in leaf.keywords:
            phrase = _normalize(keyword)
            key = (root_slug != _SEASONAL_ROOT, -len(phrase.split()), position, slug)
            groups.setdefault(key, []).append(re.escape(phrase))
    rules = []
    for key, parts in sorted(groups.items()):
        alternatives = "|".join(sorted(parts, key=len, reverse=True))
        rules.append((re.compile(rf"\b(?:{alternatives})(?:E?S)?\b"), key[3]))
    return tuple(rules)


_RULES = _build_rules()
_PATHS: dict[str, tuple[str, str] | tuple[str]] = {
    **{leaf.slug: (root.slug, leaf.slug) for root in TAXONOMY for leaf in root.leaves},
    OTHER.slug: (OTHER.slug,),
}


def mentions(description: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``description`` as keywords match: whole words, plurals too."""
    pattern = rf"\b{re.escape(_normalize(phrase))}(?:E?S)?\b"
    return re.search(pattern, _normalize(description)) is not None


def categorize(description: str) -> str:
    """Return the slug of the leaf a product description belongs to, or "other"."""
    text = _normalize(description)
    for pattern, slug in _RULES:
        if pattern.search(text):
            return slug
    return OTHER.slug


def category_path(slug: str) -> tuple[str, str] | tuple[str]:
    """Return (root slug, leaf slug) for a leaf, ("other",) for Other; KeyError if unknown."""
    return _PATHS[slug]
