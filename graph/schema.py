"""The graph's schema, declared once: node labels, relationship types and their properties.

The embedded adapter creates its tables from this declaration; the neomodel
classes in ``graph.neo4j_models`` describe the same schema to Neo4j (a contract
test keeps the two equal). Times are ISO-8601 UTC strings: they sort as times,
and both databases hand them back unchanged.
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


@dataclass(frozen=True)
class EdgeType:
    type: str
    source: str
    target: str
    properties: dict[str, Kind]
    # Properties that, with both ends, tell two edges apart (INTERESTED_IN: one per source).
    key: tuple[str, ...] = field(default=())


CUSTOMER = NodeType("Customer", {"external_id": Kind.TEXT, "name": Kind.TEXT, "country": Kind.TEXT})
PRODUCT = NodeType("Product", {"sku": Kind.TEXT, "name": Kind.TEXT, "price": Kind.FLOAT, "active": Kind.BOOL})
CATEGORY = NodeType("Category", {"slug": Kind.TEXT, "name": Kind.TEXT})
INTEREST = NodeType(
    "Interest",
    # category_id: the product category whose purchases are evidence for it, if any
    {"slug": Kind.TEXT, "name": Kind.TEXT, "topic": Kind.TEXT, "category_id": Kind.INT},
)

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

NODE_TYPES = (CUSTOMER, PRODUCT, CATEGORY, INTEREST)
EDGE_TYPES = (PURCHASED, INTERESTED_IN, BELONGS_TO, SIMILAR_TO, COMPLEMENTS)
