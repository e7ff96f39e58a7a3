"""/api/v1/models: trained recommender versions (staff); POST trains a new one (202)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from marketing_platform.api.schema import error
from recommendations.models import ModelVersion
from recommendations.services import model_version_request

RETRY_SECONDS = 10


class ModelVersionOutput(serializers.ModelSerializer[ModelVersion]):
    class Meta:
        model = ModelVersion
        fields = (
            "id", "status", "active", "parameters", "data", "metrics", "training_seconds", "error",
            "created_at", "finished_at",
        )  # fmt: skip


class ModelVersionList(generics.ListAPIView[ModelVersion]):
    """Versions, newest first. POST: train a new version on the training queue; the answer is
    202 with the version to poll. A version already waiting or training is returned, not doubled."""

    serializer_class = ModelVersionOutput
    filter_backends = ()

    def get_queryset(self) -> QuerySet[ModelVersion]:
        return ModelVersion.objects.all()

    @extend_schema(request=None, responses={202: ModelVersionOutput, 403: error("permission_denied")})
    def post(self, request: Request) -> Response:
        version, _ = model_version_request()
        location = reverse("model-version-detail", kwargs={"pk": version.pk}, request=request)
        headers: dict[str, Any] = {"Location": location, "Retry-After": str(RETRY_SECONDS)}
        return Response(ModelVersionOutput(version).data, status=status.HTTP_202_ACCEPTED, headers=headers)


class ModelVersionDetail(generics.RetrieveAPIView[ModelVersion]):
    serializer_class = ModelVersionOutput

    def get_queryset(self) -> QuerySet[ModelVersion]:
        return ModelVersion.objects.all()
