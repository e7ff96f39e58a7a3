"""The Neo4j schema as neomodel classes: labels, unique ids, indexes and relationships.

``graph install_schema`` installs their constraints and indexes. They mirror
``graph.schema``; a contract test keeps the two the same. Names neomodel keeps
for itself (``id``, ``source``) are mapped with ``db_property``.
"""

from __future__ import annotations

from neomodel import (
    BooleanProperty,
    FloatProperty,
    IntegerProperty,
    RelationshipTo,
    StringProperty,
    StructuredNode,
    StructuredRel,
)


class Purchased(StructuredRel):
    times = IntegerProperty()
    quantity = IntegerProperty()
    amount = FloatProperty()
    first_purchase = StringProperty()
    last_purchase = StringProperty()


class InterestedIn(StructuredRel):
    strength = FloatProperty()
    # stored as ``source``, a name neomodel keeps for itself on relationship objects
    origin = StringProperty(db_property="source")


class BelongsTo(StructuredRel):
    pass


class SimilarTo(StructuredRel):
    score = FloatProperty()
    shared_products = IntegerProperty()
    shared_interests = IntegerProperty()


class Complements(StructuredRel):
    count = IntegerProperty()
    lift = FloatProperty()


class Sent(StructuredRel):
    pass


class About(StructuredRel):
    pass


class HasIntent(StructuredRel):
    confidence = FloatProperty()
    by = StringProperty()


class Category(StructuredNode):
    pk = IntegerProperty(unique_index=True, db_property="id")
    slug = StringProperty(index=True)
    name = StringProperty()


class Interest(StructuredNode):
    pk = IntegerProperty(unique_index=True, db_property="id")
    slug = StringProperty(index=True)
    name = StringProperty()
    topic = StringProperty()
    category_id = IntegerProperty()


class Product(StructuredNode):
    pk = IntegerProperty(unique_index=True, db_property="id")
    sku = StringProperty(index=True)
    name = StringProperty()
    price = FloatProperty()
    active = BooleanProperty()
    belongs_to = RelationshipTo(Category, "BELONGS_TO", model=BelongsTo)
    complements = RelationshipTo("Product", "COMPLEMENTS", model=Complements)


class Campaign(StructuredNode):
    pk = IntegerProperty(unique_index=True, db_property="id")
    name = StringProperty()


class Intent(StructuredNode):
    pk = IntegerProperty(unique_index=True, db_property="id")
    slug = StringProperty(index=True)
    name = StringProperty()


class Message(StructuredNode):
    pk = IntegerProperty(unique_index=True, db_property="id")
    channel = StringProperty()
    sent_at = StringProperty()
    language = StringProperty()
    about = RelationshipTo(Campaign, "ABOUT", model=About)
    has_intent = RelationshipTo(Intent, "HAS_INTENT", model=HasIntent)


class Customer(StructuredNode):
    pk = IntegerProperty(unique_index=True, db_property="id")
    external_id = StringProperty(index=True)
    name = StringProperty()
    country = StringProperty()
    purchased = RelationshipTo(Product, "PURCHASED", model=Purchased)
    interested_in = RelationshipTo(Interest, "INTERESTED_IN", model=InterestedIn)
    similar_to = RelationshipTo("Customer", "SIMILAR_TO", model=SimilarTo)
    sent = RelationshipTo(Message, "SENT", model=Sent)


NODE_CLASSES = (Customer, Product, Category, Interest, Campaign, Intent, Message)
RELATIONSHIP_CLASSES = {
    "PURCHASED": Purchased,
    "INTERESTED_IN": InterestedIn,
    "BELONGS_TO": BelongsTo,
    "SIMILAR_TO": SimilarTo,
    "COMPLEMENTS": Complements,
    "SENT": Sent,
    "ABOUT": About,
    "HAS_INTENT": HasIntent,
}
