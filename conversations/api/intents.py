"""Intents defined with their example messages, and a message's intent corrected by staff."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.validators import validate_slug
from django.db.models import Prefetch, QuerySet
from django.utils.text import slugify
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations.intents.errors import IntentError, IntentTaken
from conversations.models import Intent, IntentExample, Message
from conversations.selectors import intents_with_counts, messages_visible_to
from conversations.services.intents import intent_create, intent_delete, intent_update, message_intent_correct
from marketing_platform.api.errors import FieldErrors, PlatformError
from marketing_platform.api.pagination import Cursor
from marketing_platform.api.principal import principal_of
from marketing_platform.api.schema import ErrorEnvelope, error
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import StrictBooleanField, StrictCharField, StrictSerializer

EXAMPLE_MAX_CHARS = 1000
EXAMPLES_MAX = 500


class IntentOutput(serializers.ModelSerializer[Intent]):
    examples = serializers.SlugRelatedField[IntentExample](slug_field="text", many=True, read_only=True)
    messages = serializers.IntegerField(source="message_count", read_only=True, help_text="Messages with it.")

    class Meta:
        model = Intent
        fields = ("slug", "name", "description", "active", "examples", "messages", "created_at", "updated_at")
        read_only_fields = fields


class IntentInput(StrictSerializer):
    """An intent and the example messages that define it (at least two, for it to be learned)."""

    read_only_names: tuple[str, ...] = ("messages", "created_at", "updated_at")

    name = StrictCharField(max_length=100)
    slug = StrictCharField(
        max_length=100,
        required=False,
        validators=[validate_slug],
        help_text="Made from the name if left out.",
    )
    description = StrictCharField(required=False, allow_blank=True, max_length=2000)
    active = StrictBooleanField(required=False)
    examples = serializers.ListField(
        child=StrictCharField(max_length=EXAMPLE_MAX_CHARS),
        required=False,
        max_length=EXAMPLES_MAX,
        help_text="Messages that express it; on an update, the whole set.",
    )

    def validate_name(self, name: str) -> str:
        if not name.strip():
            raise serializers.ValidationError("The name says nothing.", code="blank")
        return name.strip()

    def validate_examples(self, examples: list[str]) -> list[str]:
        texts = [text.strip() for text in examples]
        problems: dict[int, list[serializers.ErrorDetail]] = {}
        for index, text in enumerate(texts):
            if not text:
                problems[index] = [serializers.ErrorDetail("The example says nothing.", code="blank")]
            elif text in texts[:index]:
                problems[index] = [serializers.ErrorDetail("An earlier example says this.", code="duplicate")]
        if problems:
            raise serializers.ValidationError(problems)  # type: ignore[arg-type]
        return texts

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not self.partial and not attrs.get("slug") and not slugify(attrs.get("name", "")):
            raise serializers.ValidationError(
                {"slug": [serializers.ErrorDetail("The name makes no slug: give one.", code="required")]}
            )
        return attrs


class IntentUpdateInput(IntentInput):
    name = StrictCharField(max_length=100, required=False)


class MessageIntentInput(StrictSerializer):
    intent = serializers.SlugRelatedField[Intent](
        slug_field="slug",
        queryset=Intent.objects.all(),
        allow_null=True,
        help_text="An active intent's slug, or null: none of the shop's intents.",
    )


class MessageIntentOutput(serializers.ModelSerializer[Message]):
    intent = serializers.SlugRelatedField[Intent](
        slug_field="slug", read_only=True, allow_null=True, help_text="Its slug; null: none fits."
    )

    class Meta:
        model = Message
        fields = ("id", "intent", "intent_confidence", "intent_by")
        read_only_fields = fields


class IntentConflict(PlatformError):
    status_code = status.HTTP_409_CONFLICT
    default_code = IntentTaken.code.value


@contextmanager
def intent_errors() -> Iterator[None]:
    """The intent services' refusals in the envelope: a name or slug taken is a conflict, the rest
    a validation error of the field they name."""
    try:
        yield
    except IntentTaken as exc:
        raise IntentConflict(str(exc)) from exc
    except IntentError as exc:
        raise FieldErrors([{"field": exc.field, "code": exc.code.value, "message": str(exc)}]) from exc


INTENT_EXAMPLE = OpenApiExample(
    "A shop's own intent",
    request_only=True,
    value={
        "name": "Gift wrapping",
        "description": "Wrapping an order as a present, gift notes.",
        "examples": [
            "Can you gift wrap my order?",
            "I'd like to add a note for the person receiving it",
            "Do you offer gift boxes?",
        ],
    },
)


class BySlug(Cursor):
    ordering = ("slug",)  # type: ignore[assignment]  # DRF takes a field or a tuple


def _intents() -> QuerySet[Intent]:
    return intents_with_counts().prefetch_related(Prefetch("examples", IntentExample.objects.order_by("pk")))


class IntentList(generics.ListAPIView[Intent]):
    """The shop's intents with their examples and how many messages have each; staff and keys with
    intents:read read them, staff and keys with intents:write define them."""

    scopes = {"GET": Scope.INTENTS_READ, "POST": Scope.INTENTS_WRITE}
    serializer_class = IntentOutput
    filter_backends = ()
    pagination_class = BySlug

    def get_queryset(self) -> QuerySet[Intent]:
        return _intents()

    @extend_schema(
        request=IntentInput,
        examples=[INTENT_EXAMPLE],
        responses={201: IntentOutput, 400: error("validation_error"), 409: error("intent_taken")},
    )
    def post(self, request: Request) -> Response:
        """A new intent; the classifier learns it at its next training, on the worker."""
        data = IntentInput(data=request.data)
        data.is_valid(raise_exception=True)
        with intent_errors():
            intent = intent_create(**data.validated_data)
        return Response(IntentOutput(_intents().get(pk=intent.pk)).data, status=status.HTTP_201_CREATED)


class IntentDetail(generics.RetrieveAPIView[Intent]):
    scopes = {"GET": Scope.INTENTS_READ, "PATCH": Scope.INTENTS_WRITE, "DELETE": Scope.INTENTS_WRITE}
    serializer_class = IntentOutput
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Intent]:
        return _intents()

    @extend_schema(
        request=IntentUpdateInput,
        examples=[INTENT_EXAMPLE],
        responses={200: IntentOutput, 400: error("validation_error"), 409: error("intent_taken")},
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change an intent; ``examples`` replaces its whole example set."""
        intent = self.get_object()
        data = IntentUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with intent_errors():
            intent_update(intent=intent, **data.validated_data)
        return Response(IntentOutput(_intents().get(pk=intent.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete an intent; its messages go back to the classifier."""
        intent_delete(intent=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageIntent(APIView):
    """A message's intent as staff see it (staff, or a key with intents:write for a helpdesk's
    agents): the classifier never changes it and learns from it."""

    scopes = {"POST": Scope.INTENTS_WRITE}

    @extend_schema(
        request=MessageIntentInput,
        examples=[OpenApiExample("Filed as a complaint", request_only=True, value={"intent": "complaint"})],
        responses={
            200: MessageIntentOutput,
            400: OpenApiResponse(
                ErrorEnvelope,
                description="validation_error: no such intent, or one not active (intent_inactive).",
            ),
            404: error("not_found"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        message = generics.get_object_or_404(messages_visible_to(principal_of(request)), pk=pk)
        data = MessageIntentInput(data=request.data)
        data.is_valid(raise_exception=True)
        with intent_errors():
            corrected = message_intent_correct(message_id=message.pk, intent=data.validated_data["intent"])
        return Response(MessageIntentOutput(corrected).data)
