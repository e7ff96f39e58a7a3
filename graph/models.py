"""The graph outbox: which nodes may have changed, written in the same transaction as the change."""

from __future__ import annotations

from django.db import models


class GraphEntity(models.IntegerChoices):
    """Node kinds, in the order a drain applies them: an edge's other end before the node that
    owns it (``EdgeType.owner``), so the edges a sync writes find both their nodes."""

    CATEGORY = 1, "Category"
    INTEREST = 2, "Interest"
    PRODUCT = 3, "Product"
    CUSTOMER = 4, "Customer"
    CAMPAIGN = 5, "Campaign"
    INTENT = 6, "Intent"
    MESSAGE = 7, "Message"


class GraphChange(models.Model):
    """ "This node may have changed": the drain re-reads it from PostgreSQL and writes what it finds.

    A row says nothing about what changed, so replaying one is always safe, and a
    node that is gone is deleted from the graph.
    """

    entity = models.PositiveSmallIntegerField(choices=GraphEntity.choices)
    entity_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["entity", "id"], name="graph_change_drain_order")]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} {self.entity_id}"
