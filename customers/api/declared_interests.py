"""/api/v1/customers/{id}/interests/declared: what the customer says it is interested in (the
preference centre), as ``topic/value`` keys of the interest taxonomy."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.api.lookup import customer_pk_or_404
from customers.models import CustomerInterest
from customers.selectors import declared_interests, interest_ids_by_key
from customers.services.interests import customer_declared_interests_set
from marketing_platform.api.permissions import READS
from marketing_platform.api.schema import error
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import StrictCharField, StrictSerializer

MAX_DECLARED = 200


class DeclaredInterestsInput(StrictSerializer):
    interests = serializers.ListField(
        child=StrictCharField(max_length=201),
        max_length=MAX_DECLARED,
        help_text="Every interest the customer declares, as topic/value keys (GET /interest-topics); "
        "an empty list declares none.",
    )

    def validate_interests(self, keys: list[str]) -> list[int]:
        known = interest_ids_by_key()
        errors: dict[str, list[ErrorDetail]] = {}
        for index, key in enumerate(keys):
            if key not in known:
                message = f"{key!r} is not in the interest taxonomy (topic/value)."
                errors[str(index)] = [ErrorDetail(message, code="unknown_interest")]
            elif key in keys[:index]:
                errors[str(index)] = [
                    ErrorDetail("This interest appears earlier in the list.", code="duplicate")
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return [known[key] for key in keys]


class DeclaredInterestOutput(serializers.Serializer[CustomerInterest]):
    interest = serializers.CharField(source="interest.key", help_text="topic/value, e.g. seasonal/christmas.")
    name = serializers.CharField(source="interest.name")
    topic = serializers.CharField(source="interest.topic.name")
    declared_at = serializers.DateTimeField(source="valid_from")


class DeclaredInterestsOutput(serializers.Serializer[Any]):
    customer = serializers.CharField()
    interests = DeclaredInterestOutput(many=True)


class DeclaredInterestsView(APIView):
    """The customer's declared interests; its own login (or staff, or a service with
    ``customers:write``) replaces them. Earlier versions stay as history (``/interests?history=true``)."""

    scopes = {"GET": Scope.CUSTOMERS_READ, "PUT": Scope.CUSTOMERS_WRITE}
    customer_methods = READS | {"PUT"}

    @extend_schema(responses={200: DeclaredInterestsOutput, 404: error("not_found")})
    def get(self, request: Request, external_id: str) -> Response:
        return self._answer(external_id, customer_pk_or_404(request, external_id))

    @extend_schema(
        request=DeclaredInterestsInput,
        description="Changes the customer's recommendations and vision board at once.",
        responses={
            200: DeclaredInterestsOutput,
            400: error("validation_error (unknown_interest, duplicate)"),
            404: error("not_found"),
        },
    )
    def put(self, request: Request, external_id: str) -> Response:
        pk = customer_pk_or_404(request, external_id)
        given = DeclaredInterestsInput(data=request.data)
        given.is_valid(raise_exception=True)
        customer_declared_interests_set(customer_id=pk, interest_ids=given.validated_data["interests"])
        return self._answer(external_id, pk)

    def _answer(self, external_id: str, pk: int) -> Response:
        rows = declared_interests(customer_id=pk)
        return Response(DeclaredInterestsOutput({"customer": external_id, "interests": rows}).data)
