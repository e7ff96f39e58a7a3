"""Training a new model version, storing its artifact, and switching serving to it."""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from analytics.attribution_selectors import strategy_performance
from marketing_platform.transactions import after_commit
from recommendations.blending import Blend, blend_source, default_blend
from recommendations.cache import market_invalidate
from recommendations.dataset import history
from recommendations.lightfm_model import TrainedRecommender, train
from recommendations.models import ModelStatus, ModelVersion
from recommendations.selectors import computed_market, market_key, market_store
from recommendations.tuning import choose_blend

logger = logging.getLogger(__name__)
# The training task's hard time limit: a version still "training" after it was abandoned.
TRAINING_HARD_LIMIT_SECONDS = 3900
EARNING_DAYS = 90  # the attributed sales the blend choice heeds (``tuning.kept_earning``)


class NotEnoughData(Exception):
    """Nothing to learn from yet."""


def model_version_request(*, queue: bool = True) -> tuple[ModelVersion, bool]:
    """A new version to train (queued on the training queue unless ``queue`` is False), or
    the one already training, so a repeated or concurrent request starts nothing new (the
    database allows one version in training); True when this call created it."""
    stale = timezone.now() - timedelta(seconds=TRAINING_HARD_LIMIT_SECONDS)
    _failed(
        ModelVersion.objects.filter(status=ModelStatus.TRAINING, created_at__lt=stale),
        "Abandoned: its training never finished.",
    )
    try:
        with transaction.atomic():
            version = ModelVersion.objects.create(parameters=dict(settings.RECOMMENDER))
    except IntegrityError:
        pending = ModelVersion.objects.filter(status=ModelStatus.TRAINING).first()
        return pending or ModelVersion.objects.latest("pk"), False
    if queue:
        after_commit(_queue_training, version.pk)
    return version, True


def _queue_training(version_id: int) -> None:
    from recommendations.tasks import train_recommender

    try:
        train_recommender.delay(version_id)
    except Exception as exc:
        _failed(ModelVersion.objects.filter(pk=version_id), f"Not queued: {type(exc).__name__}: {exc}")
        raise


def _failed(versions: QuerySet[ModelVersion], error: str) -> None:
    versions.update(status=ModelStatus.FAILED, error=error, finished_at=timezone.now())


def model_version_train(
    *,
    activate: bool = True,
    parameters: dict[str, Any] | None = None,
    version: ModelVersion | None = None,
    progress: Callable[[str], None] = lambda phase: None,
) -> ModelVersion:
    """Train on everything in the database, choose its blend on a validation split of the same
    data (``tuning``), store both, and (by default) serve them.

    The version row exists before training starts (a requested ``version``, or a new
    one), so a failed run leaves a ``failed`` row with its error rather than nothing. A
    failed ``version`` given again (a retry) trains again.
    """
    if version is None:
        version = ModelVersion.objects.create(parameters={**settings.RECOMMENDER, **(parameters or {})})
    elif version.status == ModelStatus.FAILED:
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelStatus.TRAINING, error="", finished_at=None
        )
    chosen = version.parameters
    started = time.perf_counter()
    try:
        progress("reading the data")
        data = history()
        if not data.signals:
            raise NotEnoughData("No purchases or events to learn from yet.")
        progress("choosing the blend on a validation split")
        blend = choose_blend(data, chosen, _earning_sources())
        progress("training the model")
        trained = train(data.interactions(), chosen, hybrid=True)
        progress("storing the model")
        path = default_storage.save(f"recommender/model-v{version.pk}.pkl", ContentFile(_dumps(trained)))
    except BaseException as exc:  # an interruption too: it would hold the one training place
        _failed(ModelVersion.objects.filter(pk=version.pk), f"{type(exc).__name__}: {exc}")
        raise
    version.status = ModelStatus.READY
    version.artifact = path
    version.data = trained.sizes
    version.blend = blend.as_json()
    version.training_seconds = round(time.perf_counter() - started, 2)
    version.finished_at = timezone.now()
    with transaction.atomic():  # ready and serving at once: nobody reads a ready version not yet serving
        version.save(update_fields=["status", "artifact", "data", "blend", "training_seconds", "finished_at"])
        if activate:
            model_version_activate(version)
    return version


def _earning_sources() -> set[str]:
    """The blend's sources whose recommendations earned attributed sales lately."""
    today = timezone.localdate()
    figures = strategy_performance(since=today - timedelta(days=EARNING_DAYS), until=today)
    return {source for row in figures if row.bought and (source := blend_source(row.strategy))}


@transaction.atomic
def model_version_activate(version: ModelVersion) -> None:
    """Serve this version from now on: one transaction, so readers see the old or the new, never none."""
    if version.status != ModelStatus.READY:
        raise ValueError(f"{version} is not ready to serve.")
    ModelVersion.objects.filter(active=True).exclude(pk=version.pk).update(active=False)
    ModelVersion.objects.filter(pk=version.pk).update(active=True)
    version.active = True
    after_commit(market_invalidate)


def _dumps(trained: TrainedRecommender) -> bytes:
    buffer = BytesIO()
    pickle.dump(trained, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return buffer.getvalue()


def market_refresh() -> None:
    """Compute the shop's figures for the serving blend and cache them (beat, every few
    minutes): purchases that arrive one by one reach popularity and trends this way, and no
    request waits for the computation."""
    stored = ModelVersion.objects.filter(active=True).values_list("blend", flat=True).first()
    blend = Blend.of(stored) if stored else default_blend()
    key = market_key(blend)
    market_store(key, computed_market(blend))
