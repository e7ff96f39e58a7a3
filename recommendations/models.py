"""Trained recommender versions: parameters, data sizes, timings, offline metrics and the artifact."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ModelStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ModelVersion(models.Model):
    """One training run. At most one version is ``active``: the one serving reads."""

    status = models.CharField(max_length=16, choices=ModelStatus.choices, default=ModelStatus.TRAINING)
    active = models.BooleanField(default=False)
    parameters = models.JSONField(default=dict, help_text="LightFM and data settings it was trained with.")
    data = models.JSONField(default=dict, help_text="Customers, products, interactions and features seen.")
    metrics = models.JSONField(default=dict, help_text="Offline evaluation against the baselines.")
    blend = models.JSONField(
        default=dict,
        help_text="How serving blends and filters for this version: source weights and rules, chosen on "
        "a validation split of the shop's own data, with the figures they were chosen on.",
    )
    artifact = models.CharField(max_length=255, blank=True, help_text="Path in media storage.")
    training_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_model_version"
            ),
            models.CheckConstraint(
                condition=Q(active=False) | Q(status=ModelStatus.READY), name="only_ready_versions_serve"
            ),
            models.UniqueConstraint(
                fields=["status"], condition=Q(status=ModelStatus.TRAINING), name="one_version_in_training"
            ),
        ]

    def __str__(self) -> str:
        return f"model v{self.pk} ({self.get_status_display()}{', active' if self.active else ''})"
