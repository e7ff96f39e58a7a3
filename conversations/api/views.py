"""A customer's messages: sent in batches, listed newest first; one deleted by its id; all
searched by meaning."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations.api.examples import MESSAGES_EXAMPLES, SEARCH_EXAMPLES
from conversations.api.serializers import (
    MessageOutput,
    MessagesIngestInput,
    MessagesIngestOutput,
    MessagesSearchInput,
    MessagesSearchOutput,
    checked_items,
    refused_items,
)
from conversations.embedding import EmbeddingsUnavailable
from conversations.models import Intent, Message
from conversations.search import messages_search
from conversations.selectors import messages_visible_to
from conversations.services.messages import messages_delete, messages_ingest
from conversations.vectors.port import VectorStoreUnavailable
from customers.api.lookup import customer_pk_or_404
from customers.models import Customer
from marketing_platform.api.errors import FieldErrors, PlatformError, field_errors
from marketing_platform.api.pagination import Cursor
from marketing_platform.api.permissions import READS
from marketing_platform.api.principal import principal_of
from marketing_platform.api.schema import ErrorEnvelope, error
from marketing_platform.api.scopes import Scope
from marketing_platform.metrics import count_ingested, count_rejected


class NewestFirst(Cursor):
    ordering = ("-sent_at", "-id")  # type: ignore[assignment]  # DRF takes a field or a tuple


class CustomerMessages(generics.ListAPIView[Message]):
    """A customer's messages: read by staff, a key with messages:read and the customer's own
    login; sent in batches by staff and keys with ingest."""

    scopes = {"GET": Scope.MESSAGES_READ, "POST": Scope.INGEST}
    customer_methods = READS
    serializer_class = MessageOutput
    filter_backends = ()
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[Message]:
        if getattr(self, "swagger_fake_view", False):  # the schema asks, with no customer named
            return Message.objects.none()
        customer_pk = customer_pk_or_404(self.request, self.kwargs["external_id"])
        return messages_visible_to(principal_of(self.request)).filter(customer_id=customer_pk)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The customer's messages, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=MessagesIngestInput,
        examples=MESSAGES_EXAMPLES,
        responses={
            201: OpenApiResponse(MessagesIngestOutput, description="Something new was stored."),
            200: OpenApiResponse(
                MessagesIngestOutput, description="Nothing new (resent or updated messages only)."
            ),
            400: OpenApiResponse(
                ErrorEnvelope,
                description="validation_error: no message could be stored; why, per message.",
            ),
            401: OpenApiResponse(ErrorEnvelope, description="not_authenticated"),
            403: OpenApiResponse(ErrorEnvelope, description="permission_denied"),
            404: OpenApiResponse(ErrorEnvelope, description="not_found: no such customer."),
            409: OpenApiResponse(ErrorEnvelope, description="conflict: a concurrent write won; retry."),
        },
    )
    def post(self, request: Request, external_id: str) -> Response:
        """Store the valid messages and list the others with their problems (``rejected``); a
        batch with no valid message is a 400 and stores nothing."""
        customer_pk = customer_pk_or_404(request, external_id)
        try:
            batch = MessagesIngestInput(data=request.data)
            batch.is_valid(raise_exception=True)
            positions, valid, problems = checked_items(batch.validated_data["messages"])
            if not valid:
                raise FieldErrors(problems)
            written = messages_ingest(
                customer_id=customer_pk, source=batch.validated_data["source"], messages=valid
            )
            rejected = sorted(problems + refused_items(positions, written.refused), key=_position)
            if len(rejected) == len(batch.validated_data["messages"]):
                raise FieldErrors(rejected)
        except (ValidationError, PlatformError) as exc:
            count_rejected("api", (error["code"] for error in field_errors(exc)))
            raise
        count_rejected("api", (problem["code"] for problem in rejected))
        count_ingested("message", written.created, written.unchanged)
        body = {
            "external_id": external_id,
            "created": written.created,
            "updated": written.updated,
            "unchanged": written.unchanged,
            "rejected": rejected,
        }
        return Response(
            MessagesIngestOutput(body).data,
            status=status.HTTP_201_CREATED if written.created else status.HTTP_200_OK,
        )


def _position(problem: dict[str, str]) -> int:
    return int(problem["field"].split(".")[1])


class MessageDetail(generics.DestroyAPIView[Message]):
    """Delete a message (staff, or a key with messages:delete)."""

    scopes = {"DELETE": Scope.MESSAGES_DELETE}

    def get_queryset(self) -> QuerySet[Message]:
        return messages_visible_to(principal_of(self.request))

    def perform_destroy(self, instance: Message) -> None:
        messages_delete(ids=[instance.pk])

    @extend_schema(responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().delete(request, *args, **kwargs)


class SearchUnavailable(PlatformError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "search_unavailable"
    default_detail = (
        "Searching messages is unavailable for now (the vector store or embeddings); retry later."
    )


class MessagesSearch(APIView):
    """Messages by meaning (staff, or a key with messages:read)."""

    scopes = {"GET": Scope.MESSAGES_READ}

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="What they are about, any language."),
            OpenApiParameter("customer", str, description="Only this customer's messages (external id)."),
            OpenApiParameter("intent", str, description="Only messages with this intent (slug)."),
            OpenApiParameter("since", str, description="Sent at or after (ISO 8601, with offset)."),
            OpenApiParameter("k", int, description="How many, 1 to 100; default 10."),
        ],
        responses={
            200: MessagesSearchOutput,
            400: error("validation_error"),
            401: error("not_authenticated"),
            403: error("permission_denied"),
            503: error("search_unavailable"),
        },
        examples=SEARCH_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        """The messages nearest the query in meaning, best first, with their similarity."""
        params = MessagesSearchInput(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        query = params.validated_data
        try:
            matches = messages_search(
                text=query["q"],
                k=query["k"],
                customer_id=_pk_named(Customer, "customer", external_id=query.get("customer")),
                intent_id=_pk_named(Intent, "intent", slug=query.get("intent")),
                since=query.get("since"),
            )
        except (EmbeddingsUnavailable, VectorStoreUnavailable) as exc:
            raise SearchUnavailable from exc
        return Response(MessagesSearchOutput({"results": matches}).data)


def _pk_named(model: type[Customer | Intent], field: str, **lookup: str | None) -> int | None:
    """The id of the row a filter names (None: no filter); an unknown one is a validation error."""
    if next(iter(lookup.values())) is None:
        return None
    pk = model.objects.filter(**lookup).values_list("pk", flat=True).first()
    if pk is None:
        raise ValidationError({field: [f"No such {field}."]})
    return pk
