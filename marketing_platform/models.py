from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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


class ApiKey(models.Model):
    """A service's credential. Only a SHA-256 of its secret is stored; the key is shown once.

    The key reads ``<prefix>.<secret>``; the prefix is public and finds the row,
    the secret (256 bits of randomness) is checked against the hash.
    """

    name = models.CharField(max_length=100, help_text="Who uses it, e.g. shop-eu frontend.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, help_text="What the key may do (see Scope).")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("created_at")),
                name="api_key_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
