"""The graph's schema, declared once: node labels, relationship types and their properties.

The embedded adapter creates its tables from this declaration; the neomodel
classes in ``graph.neo4j_models`` describe the same schema to Neo4j (a contract
test keeps the two equal). Times are ISO-8601 UTC strings: they sort as times,
and both databases hand them back unchanged.

A ``Message`` node holds no text, not even an excerpt: what customers write is
personal data that PostgreSQL guards (only staff and the customer's own login
read it) and erases; a copy in the graph would be read past those checks and
outlive an erasure until the next sync. The graph needs only who sent it, when,
how, about which campaign and with which intent; the text is one join away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """Property types both databases share."""

    INT = "INT64"
    FLOAT = "DOUBLE"
    TEXT = "STRING"
    BOOL = "BOOLEAN"


@dataclass(frozen=True)
class NodeType:
    label: str
    properties: dict[str, Kind]  # besides the key ``id``: the PostgreSQL primary key


class End(StrEnum):
    """An end of an edge, named as edge rows name its node's id."""

    SOURCE = "from_id"
    TARGET = "to_id"


@dataclass(frozen=True)
class EdgeType:
    type: str
    source: str
    target: str
    properties: dict[str, Kind]
    # Properties that, with both ends, tell two edges apart (INTERESTED_IN: one per source).
    key: tuple[str, ...] = field(default=())
    # The end whose node owns the edge: syncing that node rewrites it, and edges are read,
    # replaced, verified and repaired by that end's ids.
    owner: End = End.SOURCE


CUSTOMER = NodeType("Customer", {"external_id": Kind.TEXT, "name": Kind.TEXT, "country": Kind.TEXT})
PRODUCT = NodeType("Product", {"sku": Kind.TEXT, "name": Kind.TEXT, "price": Kind.FLOAT, "active": Kind.BOOL})
CATEGORY = NodeType("Category", {"slug": Kind.TEXT, "name": Kind.TEXT})
INTEREST = NodeType(
    "Interest",
    # category_id: the product category whose purchases are evidence for it, if any
    {"slug": Kind.TEXT, "name": Kind.TEXT, "topic": Kind.TEXT, "category_id": Kind.INT},
)
CAMPAIGN = NodeType("Campaign", {"name": Kind.TEXT})
INTENT = NodeType("Intent", {"slug": Kind.TEXT, "name": Kind.TEXT})
MESSAGE = NodeType("Message", {"channel": Kind.TEXT, "sent_at": Kind.TEXT, "language": Kind.TEXT})

PURCHASED = EdgeType(
    "PURCHASED",
    "Customer",
    "Product",
    {
        "times": Kind.INT,
        "quantity": Kind.INT,
        "amount": Kind.FLOAT,
        "first_purchase": Kind.TEXT,
        "last_purchase": Kind.TEXT,
    },
)
INTERESTED_IN = EdgeType(
    "INTERESTED_IN", "Customer", "Interest", {"strength": Kind.FLOAT, "source": Kind.TEXT}, key=("source",)
)
BELONGS_TO = EdgeType("BELONGS_TO", "Product", "Category", {})
SIMILAR_TO = EdgeType(
    "SIMILAR_TO",
    "Customer",
    "Customer",
    {"score": Kind.FLOAT, "shared_products": Kind.INT, "shared_interests": Kind.INT},
)
COMPLEMENTS = EdgeType("COMPLEMENTS", "Product", "Product", {"count": Kind.INT, "lift": Kind.FLOAT})

# A message owns its SENT edge: its sender never changes, and a customer's sync need not
# rewrite the edges of every message it ever sent.
SENT = EdgeType("SENT", "Customer", "Message", {}, owner=End.TARGET)
ABOUT = EdgeType("ABOUT", "Message", "Campaign", {})
HAS_INTENT = EdgeType("HAS_INTENT", "Message", "Intent", {"confidence": Kind.FLOAT, "by": Kind.TEXT})

NODE_TYPES = (CUSTOMER, PRODUCT, CATEGORY, INTEREST, CAMPAIGN, INTENT, MESSAGE)
EDGE_TYPES = (PURCHASED, INTERESTED_IN, BELONGS_TO, SIMILAR_TO, COMPLEMENTS, SENT, ABOUT, HAS_INTENT)
