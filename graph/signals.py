"""Single-row saves and deletes note their node in the graph outbox (bulk services call
``graph_changes_record`` themselves: bulk writes send no signals)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete

from campaigns.models import Campaign
from catalog.models import Category, Product
from conversations.models import Intent, Message
from conversations.signals import message_intents_changed
from customers.models import (
    Customer,
    CustomerInterest,
    InteractionEvent,
    InteractionKind,
    Interest,
    InterestTopic,
    Purchase,
)
from graph.models import GraphEntity
from graph.services.sync import graph_changes_record

NODE_MODELS = {Customer: GraphEntity.CUSTOMER, Product: GraphEntity.PRODUCT, Category: GraphEntity.CATEGORY,
               Interest: GraphEntity.INTEREST, Campaign: GraphEntity.CAMPAIGN, Intent: GraphEntity.INTENT,
               Message: GraphEntity.MESSAGE}  # fmt: skip
# Rows that live in the graph as edges of their customer.
CUSTOMER_EDGE_MODELS = (Purchase, CustomerInterest)


def node_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    graph_changes_record(NODE_MODELS[sender], [instance.pk])


def customer_edge_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    graph_changes_record(GraphEntity.CUSTOMER, [instance.customer_id])


def event_changed(
    sender: type[Any], instance: InteractionEvent, created: bool | None = None, **kwargs: Any
) -> None:
    """A purchase event is an edge of its customer (``customers.ownership``); an edited one
    (``created`` False) may have just stopped being one."""
    if instance.kind == InteractionKind.PURCHASE or created is False:
        graph_changes_record(GraphEntity.CUSTOMER, [instance.customer_id])


def category_leaving(sender: type[Any], instance: Category, **kwargs: Any) -> None:
    """Its products lose their category by a bulk update, which sends no signal."""
    graph_changes_record(GraphEntity.PRODUCT, instance.products.values_list("pk", flat=True))


def topic_changed(sender: type[Any], instance: InterestTopic, **kwargs: Any) -> None:
    graph_changes_record(GraphEntity.INTEREST, instance.interests.values_list("pk", flat=True))


def intents_given(sender: type[Any], message_ids: list[int], **kwargs: Any) -> None:
    """Intents given or corrected in bulk move their messages' HAS_INTENT edges."""
    graph_changes_record(GraphEntity.MESSAGE, message_ids)


def connect() -> None:
    for model in NODE_MODELS:
        post_save.connect(node_changed, sender=model, dispatch_uid=f"graph-node-save-{model.__name__}")
        post_delete.connect(node_changed, sender=model, dispatch_uid=f"graph-node-delete-{model.__name__}")
    for model in CUSTOMER_EDGE_MODELS:
        post_save.connect(
            customer_edge_changed, sender=model, dispatch_uid=f"graph-edge-save-{model.__name__}"
        )
        post_delete.connect(
            customer_edge_changed, sender=model, dispatch_uid=f"graph-edge-delete-{model.__name__}"
        )
    post_save.connect(event_changed, sender=InteractionEvent, dispatch_uid="graph-event-save")
    post_delete.connect(event_changed, sender=InteractionEvent, dispatch_uid="graph-event-delete")
    pre_delete.connect(category_leaving, sender=Category, dispatch_uid="graph-category-leaving")
    post_save.connect(topic_changed, sender=InterestTopic, dispatch_uid="graph-topic-save")
    message_intents_changed.connect(intents_given, dispatch_uid="graph-message-intents")
