"""/api/v1/customers/{id}/feedback: "not for me" and "more like this" on products, by SKU."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product
from customers.api.lookup import customer_pk_or_404
from customers.models import FeedbackKind, ProductFeedback
from customers.selectors import customer_feedback
from customers.services.feedback import product_feedback_give, product_feedback_withdraw
from marketing_platform.api.errors import FieldErrors
from marketing_platform.api.permissions import READS
from marketing_platform.api.schema import error
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import StrictCharField, StrictSerializer

EFFECT = (
    "Takes effect at once: a product that is not for the customer is never recommended to it "
    "again (nor in emails or on its vision board), products like one it wants more like come "
    "up in its recommendations; both count as signals at the next training."
)


class FeedbackInput(StrictSerializer):
    sku = StrictCharField(max_length=64, help_text="The product's SKU.")
    kind = serializers.ChoiceField(choices=FeedbackKind.choices)


class FeedbackOutput(serializers.Serializer[ProductFeedback]):
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    kind = serializers.ChoiceField(choices=FeedbackKind.choices)
    created_at = serializers.DateTimeField(help_text="When the customer first said something of it.")
    updated_at = serializers.DateTimeField(help_text="When it said this.")


class FeedbackListOutput(serializers.Serializer[Any]):
    customer = serializers.CharField()
    feedback = FeedbackOutput(many=True, help_text="Latest first.")


def _product_pk(sku: str) -> int | None:
    return Product.objects.filter(sku=sku).values_list("pk", flat=True).first()


class CustomerFeedbackView(APIView):
    """The customer's feedback on products: read by whoever reads the customer; given by its own
    login, staff, or a service with ``feedback:write``."""

    scopes = {"GET": Scope.CUSTOMERS_READ, "POST": Scope.FEEDBACK_WRITE}
    customer_methods = READS | {"POST"}

    @extend_schema(responses={200: FeedbackListOutput, 404: error("not_found")})
    def get(self, request: Request, external_id: str) -> Response:
        pk = customer_pk_or_404(request, external_id)
        return Response(
            FeedbackListOutput({"customer": external_id, "feedback": customer_feedback(customer_id=pk)}).data
        )

    @extend_schema(
        request=FeedbackInput,
        description=EFFECT,
        responses={
            201: OpenApiResponse(FeedbackOutput, description="Stored, or replaced the opposite kind."),
            200: OpenApiResponse(FeedbackOutput, description="Already so: nothing changed."),
            400: error("validation_error (unknown_product: no product has this SKU)"),
            404: error("not_found"),
        },
    )
    def post(self, request: Request, external_id: str) -> Response:
        pk = customer_pk_or_404(request, external_id)
        given = FeedbackInput(data=request.data)
        given.is_valid(raise_exception=True)
        sku = given.validated_data["sku"]
        product_pk = _product_pk(sku)
        if product_pk is None:
            raise FieldErrors(
                [{"field": "sku", "code": "unknown_product", "message": f"No product has the SKU {sku!r}."}]
            )
        feedback, changed = product_feedback_give(
            customer_id=pk, product_id=product_pk, kind=FeedbackKind(given.validated_data["kind"])
        )
        return Response(
            FeedbackOutput(feedback).data, status=status.HTTP_201_CREATED if changed else status.HTTP_200_OK
        )


class CustomerFeedbackDetailView(APIView):
    """Take back the customer's feedback on one product."""

    scopes = {"DELETE": Scope.FEEDBACK_WRITE}
    customer_methods = frozenset({"DELETE"})

    @extend_schema(
        responses={
            204: OpenApiResponse(description="Taken back, or there was none: the same either way."),
            404: error("not_found (no such customer, or no product has this SKU)"),
        }
    )
    def delete(self, request: Request, external_id: str, sku: str) -> Response:
        pk = customer_pk_or_404(request, external_id)
        product_pk = _product_pk(sku)
        if product_pk is None:
            raise exceptions.NotFound("No product has this SKU.")
        product_feedback_withdraw(customer_id=pk, product_id=product_pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
