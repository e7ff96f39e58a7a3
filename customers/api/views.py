from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.api.examples import INGEST_EXAMPLES
from customers.api.serializers import ExternalIdInput, IngestInput, IngestOutput
from customers.services.ingestion import customer_data_ingest
from marketing_platform.api.errors import PlatformError, field_errors
from marketing_platform.api.schema import ErrorEnvelope
from marketing_platform.api.scopes import Scope
from marketing_platform.metrics import count_ingested, count_rejected


class CustomerDataIngestView(APIView):
    """Ingest one customer's purchases, interests and events; the customer is created if new."""

    scopes = {"POST": Scope.INGEST}

    @extend_schema(
        request=IngestInput,
        examples=INGEST_EXAMPLES,
        responses={
            201: OpenApiResponse(IngestOutput, description="Something new was stored."),
            200: OpenApiResponse(
                IngestOutput, description="No new records (customer fields may have been updated)."
            ),
            400: OpenApiResponse(ErrorEnvelope, description="validation_error: nothing was stored."),
            401: OpenApiResponse(ErrorEnvelope, description="not_authenticated"),
            403: OpenApiResponse(ErrorEnvelope, description="permission_denied"),
            409: OpenApiResponse(
                ErrorEnvelope,
                description="key_reused: a key already names another record; "
                "conflict: a concurrent write won, retry. Nothing was stored.",
            ),
        },
    )
    def post(self, request: Request, external_id: str) -> Response:
        try:
            ExternalIdInput(data={"external_id": external_id}).is_valid(raise_exception=True)
            serializer = IngestInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            result = customer_data_ingest(
                external_id=external_id,
                source=data["source"],
                customer_data=data["customer"],
                purchases=data["purchases"],
                interests=data["interests"],
                events=data["events"],
            )
        except (ValidationError, PlatformError) as exc:
            count_rejected("api", (error["code"] for error in field_errors(exc)))
            raise
        for kind, counts in (
            ("purchase", result.purchases),
            ("event", result.events),
            ("interest", result.interests),
        ):
            count_ingested(kind, counts.created, counts.duplicate)
        return Response(
            IngestOutput(result).data,
            status=status.HTTP_201_CREATED if result.created_anything else status.HTTP_200_OK,
        )
