"""Read and update resources: customers, purchases, interests and the interest taxonomy."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from customers.api.serializers import CustomerInput
from customers.models import Customer, CustomerInterest, InterestTopic, Purchase
from customers.selectors import customers_visible_to, interests_visible_to, purchases_visible_to
from customers.services.customers import customer_update
from marketing_platform.api.filters import StrictFilterSet
from marketing_platform.api.permissions import READS
from marketing_platform.api.principal import Role, principal_of
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import (
    AwareDateTimeField,
)


class ReadsCustomerData:
    """Read-only views of customer data: services need customers:read; a customer sees its own."""

    scopes = {"GET": Scope.CUSTOMERS_READ}
    customer_methods = READS


class CustomerOutput(serializers.Serializer[Customer]):
    """A customer as the API shows it.

    Fields are declared rather than derived from the model: this is the hottest
    read, and a ModelSerializer rebuilds its fields from the model on every use.
    """

    external_id = serializers.CharField(read_only=True, help_text="The id frontends and imports use.")
    email = serializers.EmailField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    profile = serializers.DictField(read_only=True)
    marketing_consent = serializers.BooleanField(read_only=True)
    unsubscribed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class CustomerUpdateInput(CustomerInput):
    """Changes to a customer; withdrawing consent records the unsubscribe time."""

    read_only_names: tuple[str, ...] = (
        "external_id",
        "unsubscribed_at",
        "created_at",
        "updated_at",
        "user",
        "id",
    )


class CustomerSelfUpdateInput(CustomerUpdateInput):
    """What a customer's own login may change: not the email, the key others find it by."""

    read_only_names = (*CustomerUpdateInput.read_only_names, "email")
    email = None  # type: ignore[assignment]


class CustomerFilter(StrictFilterSet):
    country = django_filters.CharFilter()
    email = django_filters.CharFilter(lookup_expr="iexact")
    marketing_consent = django_filters.BooleanFilter()
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Customer
        fields = ("country", "email", "marketing_consent")


class CustomerList(generics.ListAPIView[Customer]):
    """Customers, newest first; filter by country, email, consent and creation time."""

    scopes = {"GET": Scope.CUSTOMERS_READ}
    serializer_class = CustomerOutput
    filterset_class = CustomerFilter
    ordering_fields = ("id", "external_id")
    ordering = ("-id",)

    def get_queryset(self) -> QuerySet[Customer]:
        return customers_visible_to(principal_of(self.request))


class CustomerDetail(generics.RetrieveUpdateAPIView[Customer]):
    """One customer by external id; a customer's own login may read and update it."""

    scopes = {"GET": Scope.CUSTOMERS_READ, "PATCH": Scope.CUSTOMERS_WRITE}
    customer_methods = READS | {"PATCH"}
    http_method_names = ["get", "patch", "head", "options"]
    serializer_class = CustomerOutput
    lookup_field = "external_id"

    def get_queryset(self) -> QuerySet[Customer]:
        return customers_visible_to(principal_of(self.request))

    @extend_schema(request=CustomerUpdateInput, responses=CustomerOutput)
    def patch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        customer = self.get_object()
        own = principal_of(request).role == Role.CUSTOMER
        changes = (CustomerSelfUpdateInput if own else CustomerUpdateInput)(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        customer = customer_update(customer=customer, **changes.validated_data)
        return Response(CustomerOutput(customer).data)


class PurchaseOutput(serializers.ModelSerializer[Purchase]):
    customer = serializers.CharField(source="customer.external_id")
    sku = serializers.CharField(source="product.sku")
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = Purchase
        fields = (
            "id",
            "source",
            "external_id",
            "invoice",
            "kind",
            "customer",
            "sku",
            "product_name",
            "quantity",
            "unit_price",
            "amount",
            "currency",
            "purchased_at",
            "metadata",
            "created_at",
        )
        read_only_fields = fields


class PurchaseFilter(StrictFilterSet):
    customer = django_filters.CharFilter(field_name="customer__external_id")
    sku = django_filters.CharFilter(field_name="product__sku")
    invoice = django_filters.CharFilter()
    kind = django_filters.ChoiceFilter(choices=Purchase._meta.get_field("kind").choices)
    purchased_after = django_filters.IsoDateTimeFilter(field_name="purchased_at", lookup_expr="gte")
    purchased_before = django_filters.IsoDateTimeFilter(field_name="purchased_at", lookup_expr="lt")

    class Meta:
        model = Purchase
        fields = ("customer", "sku", "invoice", "kind")


class PurchaseList(ReadsCustomerData, generics.ListAPIView[Purchase]):
    """Purchase lines, newest first; a customer's login sees only its own."""

    serializer_class = PurchaseOutput
    filterset_class = PurchaseFilter
    ordering_fields = ("id",)
    ordering = ("-id",)

    def get_queryset(self) -> QuerySet[Purchase]:
        return purchases_visible_to(principal_of(self.request))


class PurchaseDetail(ReadsCustomerData, generics.RetrieveAPIView[Purchase]):
    serializer_class = PurchaseOutput

    def get_queryset(self) -> QuerySet[Purchase]:
        return purchases_visible_to(principal_of(self.request))


class CustomerInterestOutput(serializers.ModelSerializer[CustomerInterest]):
    customer = serializers.CharField(source="customer.external_id")
    interest = serializers.CharField(source="interest.key")
    name = serializers.CharField(source="interest.name")

    class Meta:
        model = CustomerInterest
        fields = (
            "id",
            "customer",
            "interest",
            "name",
            "source",
            "confidence",
            "evidence",
            "valid_from",
            "valid_to",
        )
        read_only_fields = fields


class InterestFilter(StrictFilterSet):
    customer = django_filters.CharFilter(field_name="customer__external_id")
    source = django_filters.ChoiceFilter(choices=CustomerInterest._meta.get_field("source").choices)
    topic = django_filters.CharFilter(field_name="interest__topic__slug")
    min_confidence = django_filters.NumberFilter(field_name="confidence", lookup_expr="gte")

    class Meta:
        model = CustomerInterest
        fields = ("customer", "source", "topic")


class AsOfInput(serializers.Serializer):
    at = AwareDateTimeField(required=False)
    history = serializers.BooleanField(required=False, default=False)


class InterestList(ReadsCustomerData, generics.ListAPIView[CustomerInterest]):
    """Customers' interests: those current now, or at ``at`` (a past moment), or every version."""

    serializer_class = CustomerInterestOutput
    filterset_class = InterestFilter
    ordering_fields = ("id",)
    ordering = ("-id",)

    @extend_schema(
        parameters=[
            OpenApiParameter("at", OpenApiTypes.DATETIME, description="The profile as it stood then."),
            OpenApiParameter("history", bool, description="Every version, closed ones included."),
        ]
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CustomerInterest]:
        params = AsOfInput(
            data={k: v for k, v in self.request.query_params.items() if k in ("at", "history")}
        )
        params.is_valid(raise_exception=True)
        return interests_visible_to(
            principal_of(self.request),
            at=params.validated_data.get("at"),
            history=params.validated_data["history"],
        )


class InterestDetail(ReadsCustomerData, generics.RetrieveAPIView[CustomerInterest]):
    serializer_class = CustomerInterestOutput

    def get_queryset(self) -> QuerySet[CustomerInterest]:
        return interests_visible_to(principal_of(self.request), history=True)


class InterestValueOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()


class InterestTopicOutput(serializers.ModelSerializer[InterestTopic]):
    interests = InterestValueOutput(many=True)

    class Meta:
        model = InterestTopic
        fields = ("name", "slug", "interests")
        read_only_fields = fields


class InterestTopicList(ReadsCustomerData, generics.ListAPIView[InterestTopic]):
    """The interest taxonomy: topics and their values (``topic/value`` keys for ingestion)."""

    serializer_class = InterestTopicOutput
    filter_backends = ()
    ordering = ("slug",)

    def get_queryset(self) -> QuerySet[InterestTopic]:
        return InterestTopic.objects.prefetch_related("interests__topic")
