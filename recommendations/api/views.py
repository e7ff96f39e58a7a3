"""GET /api/v1/customers/{id}/recommendations: blended, explained, with the mode that produced them."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import category_with_descendant_ids
from customers.api.lookup import customer_pk_or_404
from marketing_platform.api.conditional import NOT_MODIFIED, conditional_parameters, weak_etag
from marketing_platform.api.permissions import READS
from marketing_platform.api.schema import error
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import StrictCharField, StrictSerializer
from recommendations.api.examples import RECOMMENDATIONS_EXAMPLES
from recommendations.serving import STRATEGIES, recommendations_for, recommendations_tag
from recommendations.signals import Shown, recommendations_shown


class RecommendationsInput(StrictSerializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)  # query text
    category = StrictCharField(
        required=False, max_length=100, help_text="A category slug; a root includes its leaves."
    )
    strategy = serializers.ChoiceField(choices=STRATEGIES, required=False, default="blended")


class RecommendationOutput(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    score = serializers.FloatField()
    strategy = serializers.CharField(
        help_text=(
            "repeat, model, graph:<walk>, neighbours, content, more_like_this, popular_in_interests, "
            "trending, popular or discovery"
        )
    )
    reason = serializers.CharField(help_text="Why, in words a customer can read.")


class RecommendationsOutput(serializers.Serializer[Any]):
    customer = serializers.CharField()
    mode = serializers.ChoiceField(
        choices=["blended", "model", "graph", "popular", "no_model", "no_graph", "new_customer"]
    )
    model_version = serializers.IntegerField(allow_null=True)
    degraded = serializers.ListField(
        child=serializers.CharField(),
        help_text="What was missing: no_model, graph_unavailable, cache_unavailable (computed afresh).",
    )
    items = RecommendationOutput(many=True)


class CustomerRecommendationsView(APIView):
    """What to offer this customer next, best first, each with its reason."""

    scopes = {"GET": Scope.CUSTOMERS_READ}
    customer_methods = READS

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, description="From 1 to 50; default 10."),
            OpenApiParameter("category", str, description="Only this category (a root includes its leaves)."),
            OpenApiParameter("strategy", str, enum=list(STRATEGIES), description="Default blended."),
            *conditional_parameters(
                held="The ETag of an answer you hold: 304 while it is still the answer.",
                given="A weak validator of the answer (none while the cache is down).",
            ),
        ],
        responses={
            200: RecommendationsOutput,
            304: NOT_MODIFIED,
            400: error("validation_error"),
            404: error("not_found"),
        },
        examples=RECOMMENDATIONS_EXAMPLES,
    )
    def get(self, request: Request, external_id: str) -> HttpResponseBase:
        params = RecommendationsInput(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        pk = customer_pk_or_404(request, external_id)
        slug = params.validated_data.get("category")
        category_ids = category_with_descendant_ids(slug) if slug else None
        if slug and not category_ids:
            raise exceptions.ValidationError({"category": ["No such category."]})
        question = {
            "limit": params.validated_data["limit"],
            "category_ids": category_ids,
            "strategy": params.validated_data["strategy"],
        }
        tag = recommendations_tag(pk, **question)
        etag = weak_etag(tag) if tag else None
        response = get_conditional_response(request, etag=etag) if etag else None
        if response is None:  # else 304: the client shows what it was sent before, counted as shown then
            result = recommendations_for(pk, **question)
            if request.method == "GET":  # a HEAD's answer has no body: nothing was shown
                shown = Shown(pk, tuple((item.product_id, item.strategy) for item in result.items))
                recommendations_shown.send(sender=self.__class__, channel="api", shown=[shown])
            response = Response(RecommendationsOutput({"customer": external_id, **result.as_dict()}).data)
        if etag:
            response["ETag"] = etag
        return response
