"""Training a new model version, storing its artifact, and switching serving to it."""

from __future__ import annotations

import logging
import pickle
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from recommendations.dataset import interactions
from recommendations.lightfm_model import TrainedRecommender, train
from recommendations.models import ModelStatus, ModelVersion

logger = logging.getLogger(__name__)


class NotEnoughData(Exception):
    """Nothing to learn from yet."""


def model_version_train(*, activate: bool = True, parameters: dict[str, Any] | None = None) -> ModelVersion:
    """Train on everything in the database, store the artifact, and (by default) serve it.

    The version row exists before training starts, so a failed run leaves a
    ``failed`` row with its error rather than nothing.
    """
    chosen = {**settings.RECOMMENDER, **(parameters or {})}
    version = ModelVersion.objects.create(parameters=chosen)
    try:
        data = interactions()
        if not data:
            raise NotEnoughData("No purchases or events to learn from yet.")
        trained = train(data, chosen, hybrid=True)
        path = default_storage.save(f"recommender/model-v{version.pk}.pkl", ContentFile(_dumps(trained)))
    except Exception as exc:
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        raise
    version.status = ModelStatus.READY
    version.artifact = path
    version.data = trained.sizes
    version.training_seconds = round(trained.seconds, 2)
    version.finished_at = timezone.now()
    version.save(update_fields=["status", "artifact", "data", "training_seconds", "finished_at"])
    if activate:
        model_version_activate(version)
    return version


@transaction.atomic
def model_version_activate(version: ModelVersion) -> None:
    """Serve this version from now on: one transaction, so readers see the old or the new, never none."""
    if version.status != ModelStatus.READY:
        raise ValueError(f"{version} is not ready to serve.")
    ModelVersion.objects.filter(active=True).exclude(pk=version.pk).update(active=False)
    ModelVersion.objects.filter(pk=version.pk).update(active=True)
    version.active = True


def _dumps(trained: TrainedRecommender) -> bytes:
    buffer = BytesIO()
    pickle.dump(trained, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return buffer.getvalue()
