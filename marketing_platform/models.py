from __future__ import annotations

from django.db import models


class SourceKeyedModel(models.Model):
    """A record whose natural key is ``(source, external_id)``.

    The unique constraint on that pair is what makes every write path of such
    records idempotent: a resent batch or a re-run import finds its rows stored.
    """

    source = models.CharField(max_length=32, help_text="Where the record came from, e.g. online-retail, api.")
    external_id = models.CharField(max_length=128, help_text="The record's id within its source.")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="%(app_label)s_%(class)s_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
