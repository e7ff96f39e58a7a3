"""Products and categories: readable by every role, written by staff and catalog services."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.validators import URLValidator
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Category, Product
from catalog.selectors import category_with_descendant_ids, products_list
from catalog.services import product_create, product_update
from marketing_platform.api.filters import StrictFilterSet
from marketing_platform.api.media_field import MediaAddressField
from marketing_platform.api.permissions import READS
from marketing_platform.api.schema import error
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import (
    JSONObjectField,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictSerializer,
)
from marketing_platform.ranges import MAX_UNIT_PRICE


class CategoryOutput(serializers.ModelSerializer[Category]):
    parent = serializers.SlugRelatedField[Category](  # type: ignore[assignment]
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Category
        fields = ("slug", "name", "parent", "position")
        read_only_fields = fields


class ProductOutput(serializers.ModelSerializer[Product]):
    category = serializers.SlugRelatedField[Category](slug_field="slug", read_only=True, allow_null=True)
    image = MediaAddressField(help_text="The product's photo stored here, or null.")
    image_url = serializers.CharField(
        read_only=True, help_text="A picture elsewhere (http or https), or empty."
    )

    class Meta:
        model = Product
        fields = (
            "sku",
            "name",
            "description",
            "category",
            "price",
            "currency",
            "image",
            "image_url",
            "tags",
            "metadata",
            "active",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class StrictSlugField(serializers.SlugRelatedField[Category]):
    """A slug or null; DRF would quietly read an empty string as null."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data == "":
            self.fail("invalid")
        return super().run_validation(data)


class ProductInput(StrictSerializer):
    """A product of the catalog; its SKU is its key."""

    read_only_names: tuple[str, ...] = ("created_at", "updated_at", "image", "id")

    sku = StrictCharField(max_length=64)
    name = StrictCharField(max_length=255)
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    category = StrictSlugField(
        slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
    )
    price = StrictDecimalField(max_digits=12, decimal_places=3, min_value=0, max_value=MAX_UNIT_PRICE)
    currency = StrictCharField(min_length=3, max_length=3, required=False)
    image_url = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="A public http(s) picture of the product, used when none is stored.",
    )
    tags = serializers.ListField(child=StrictCharField(max_length=64), required=False, max_length=50)
    metadata = JSONObjectField(required=False)
    active = StrictBooleanField(required=False)


class ProductUpdateInput(ProductInput):
    """Changes to a product; its SKU stays."""

    read_only_names: tuple[str, ...] = ("sku", *ProductInput.read_only_names)
    sku = None  # type: ignore[assignment]


class ProductFilter(StrictFilterSet):
    category = django_filters.CharFilter(
        method="in_category", help_text="A category slug; a root includes its leaves."
    )
    active = django_filters.BooleanFilter()
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Product
        fields = ("active",)

    def in_category(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset.filter(category_id__in=category_with_descendant_ids(value))


class ProductList(generics.ListAPIView[Product]):
    """Products; filter by category (a root includes its leaves), price, activity and name."""

    scopes = {"GET": Scope.CATALOG_READ, "POST": Scope.CATALOG_WRITE}
    customer_methods = READS
    serializer_class = ProductOutput
    filterset_class = ProductFilter
    ordering_fields = ("sku",)
    ordering = ("sku",)

    def get_queryset(self) -> QuerySet[Product]:
        return products_list()

    @extend_schema(request=ProductInput, responses={201: ProductOutput, 409: error("sku_taken")})
    def post(self, request: Request) -> Response:
        data = ProductInput(data=request.data)
        data.is_valid(raise_exception=True)
        product = product_create(**data.validated_data)
        return Response(
            ProductOutput(product, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ProductDetail(generics.RetrieveAPIView[Product]):
    scopes = {"GET": Scope.CATALOG_READ, "PATCH": Scope.CATALOG_WRITE}
    customer_methods = READS
    serializer_class = ProductOutput
    lookup_field = "sku"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Product]:
        return products_list()

    @extend_schema(request=ProductUpdateInput, responses=ProductOutput)
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.get_object()
        data = ProductUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        product = product_update(product=product, **data.validated_data)
        return Response(ProductOutput(product, context={"request": request}).data)


class CategoryList(generics.ListAPIView[Category]):
    """The category tree: roots have no parent."""

    scopes = {"GET": Scope.CATALOG_READ}
    customer_methods = READS
    serializer_class = CategoryOutput
    filter_backends = ()
    ordering = ("id",)

    def get_queryset(self) -> QuerySet[Category]:
        return Category.objects.select_related("parent")


class CategoryDetail(generics.RetrieveAPIView[Category]):
    scopes = {"GET": Scope.CATALOG_READ}
    customer_methods = READS
    serializer_class = CategoryOutput
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Category]:
        return Category.objects.select_related("parent")
