"""Graph reads over the API: a customer's profile subgraph, similar customers, product complements."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product
from customers.api.lookup import customer_pk_or_404
from graph.engine import GraphUnavailable
from graph.port import Graph, get_graph
from marketing_platform.api.errors import PlatformError
from marketing_platform.api.permissions import READS
from marketing_platform.api.principal import Role, principal_of
from marketing_platform.api.schema import error
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import StrictSerializer

T = TypeVar("T")
BAD_LIMIT = error("validation_error")
GRAPH_DOWN = error("graph_unavailable")


class GraphDown(PlatformError):
    status_code = 503
    default_code = "graph_unavailable"
    default_detail = "The knowledge graph is unavailable; retry later."


def _ask_graph(question: Callable[[Graph], T]) -> T:
    try:
        return question(get_graph())
    except GraphUnavailable as exc:
        raise GraphDown from exc


@cache
def _limit_input(default: int, maximum: int) -> type[StrictSerializer]:
    """The ``?limit=`` validator for these bounds, built once rather than on every request."""

    class LimitInput(StrictSerializer):
        # a query string is text: digits are read as a number (the strict fields are for JSON bodies)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=maximum, default=default)

    return LimitInput


def _limit(request: Request, *, default: int, maximum: int) -> int:
    params = _limit_input(default, maximum)(
        data={k: v for k, v in request.query_params.items() if k == "limit"}
    )
    params.is_valid(raise_exception=True)
    return int(params.validated_data["limit"])


def _limit_parameter(default: int, maximum: int) -> OpenApiParameter:
    return OpenApiParameter("limit", int, description=f"From 1 to {maximum}; default {default}.")


class GraphNode(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="label:key, e.g. product:85123A")
    label = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["Customer", "Product", "Category", "Interest", "Message", "Intent", "Campaign"]
    )
    name = serializers.CharField()


class GraphEdge(serializers.Serializer[Any]):
    source = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["PURCHASED", "BELONGS_TO", "INTERESTED_IN", "SIMILAR_TO", "SENT", "HAS_INTENT", "ABOUT"]
    )


class SubgraphOutput(serializers.Serializer[Any]):
    nodes = GraphNode(many=True, help_text="Nodes carry their properties besides these fields.")
    edges = GraphEdge(many=True, help_text="Edges carry their properties besides these fields.")


class CustomerGraphView(APIView):
    """The customer's profile subgraph: most bought products and their categories, interests,
    the latest messages (without their text) with their intents, and (not for a customer's own
    login) the most similar customers and the campaigns the messages answer."""

    scopes = {"GET": Scope.CUSTOMERS_READ}
    customer_methods = READS

    @extend_schema(
        parameters=[_limit_parameter(25, 100)],
        responses={200: SubgraphOutput, 400: BAD_LIMIT, 404: error("not_found"), 503: GRAPH_DOWN},
    )
    def get(self, request: Request, external_id: str) -> Response:
        limit = _limit(request, default=25, maximum=100)
        pk = customer_pk_or_404(request, external_id)
        staff = principal_of(request).role != Role.CUSTOMER  # other customers; campaigns' inner names
        subgraph = _ask_graph(
            lambda graph: graph.profile_subgraph(pk, limit=limit, similar=5 if staff else 0, campaigns=staff)
        )
        return Response({"nodes": subgraph.nodes, "edges": subgraph.edges})


class SharedProductOutput(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()


class SimilarCustomerOutput(serializers.Serializer[Any]):
    external_id = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField(help_text="0.8 · cosine of bought products + 0.2 · cosine of interests")
    shared_product_count = serializers.IntegerField()
    shared_interest_count = serializers.IntegerField()
    shared_products = SharedProductOutput(many=True, help_text="Up to five, most bought first.")
    shared_interests = serializers.ListField(child=serializers.CharField())


class SimilarCustomersView(APIView):
    """Customers most like this one, with the products and interests both share.
    Staff and services only: the answer is about other customers."""

    scopes = {"GET": Scope.CUSTOMERS_READ}

    @extend_schema(
        parameters=[_limit_parameter(10, 50)],
        responses={
            200: SimilarCustomerOutput(many=True),
            404: error("not_found"),
            503: error("graph_unavailable"),
        },
    )
    def get(self, request: Request, external_id: str) -> Response:
        limit = _limit(request, default=10, maximum=50)
        pk = customer_pk_or_404(request, external_id)
        similar = _ask_graph(lambda graph: graph.similar_customers(pk, limit))
        return Response(SimilarCustomerOutput(similar, many=True).data)


class ComplementOutput(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Baskets holding both products.")
    lift = serializers.FloatField(help_text="How many times likelier together than by chance.")


class ProductComplementsView(APIView):
    """Products often bought in the same basket as this one, strongest first."""

    scopes = {"GET": Scope.CATALOG_READ}
    customer_methods = READS

    @extend_schema(
        parameters=[_limit_parameter(10, 50)],
        responses={
            200: ComplementOutput(many=True),
            404: error("not_found"),
            503: error("graph_unavailable"),
        },
    )
    def get(self, request: Request, sku: str) -> Response:
        limit = _limit(request, default=10, maximum=50)
        pk = Product.objects.filter(sku=sku).values_list("pk", flat=True).first()
        if pk is None:
            raise exceptions.NotFound("No such product.")
        complements = _ask_graph(lambda graph: graph.complements(pk, limit))
        return Response(ComplementOutput(complements, many=True).data)
