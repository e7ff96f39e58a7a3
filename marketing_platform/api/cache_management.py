"""Staff's view of the cache: its statistics, and forgetting what it holds per customer or per kind.

Forgetting is done by generation numbers in the keys (``recommendations.cache``), not by deleting
keys: the next request computes afresh, and a request racing the call cannot store an old answer
under the new generation. Every call is idempotent: forgetting twice forgets the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Customer
from marketing_platform.api.errors import FieldErrors, PlatformError
from marketing_platform.api.schema import error
from marketing_platform.api.strict import StrictCharField, StrictSerializer
from marketing_platform.cache import CacheUnavailable, cache_statistics, cache_unavailable, cached_entries
from recommendations.cache import market_generation, market_invalidate, recommendations_invalidate

MAX_CUSTOMERS = 1_000


@dataclass(frozen=True)
class CacheKind:
    description: str
    pattern: str  # our keys of this kind, as a glob
    generation: Callable[[], int]
    forget_customers: Callable[[list[int]], None]
    forget_all: Callable[[], None]


CACHE_KINDS = {
    "recommendations": CacheKind(
        "Customers' recommendations and the shop's figures they are made from (popularity, "
        "trends, customers like you, content similarity). Per customer: that customer's answers "
        "(their vision boards are drawn again too, as after a purchase). All: every answer and "
        "the figures, recomputed by the next request or the beat refresh.",
        "recs:*",
        market_generation,
        recommendations_invalidate,
        market_invalidate,
    ),
}


class CacheDown(PlatformError):
    status_code = 503
    default_code = "cache_unavailable"
    default_detail = "The cache cannot be reached; retry later."


class CacheKindOutput(serializers.Serializer[Any]):
    kind = serializers.CharField()
    description = serializers.CharField()
    generation = serializers.IntegerField(help_text="Goes up each time the whole kind is forgotten.")
    entries = serializers.IntegerField(
        allow_null=True,
        help_text="Keys of this kind (Redis only; null for a file cache or a very large cache).",
    )


class CacheOutput(serializers.Serializer[Any]):
    backend = serializers.ChoiceField(choices=["redis", "files"])
    entries = serializers.IntegerField()
    bytes = serializers.IntegerField(allow_null=True)
    max_entries = serializers.IntegerField(allow_null=True, help_text="A file cache culls past this.")
    hits = serializers.IntegerField(allow_null=True, help_text="Redis: the server's since it started.")
    misses = serializers.IntegerField(allow_null=True)
    hit_rate = serializers.FloatField(allow_null=True)
    evictions = serializers.IntegerField(allow_null=True)
    kinds = CacheKindOutput(many=True)


class InvalidateInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=list(CACHE_KINDS))
    customers = serializers.ListField(
        child=StrictCharField(max_length=64),
        required=False,
        max_length=MAX_CUSTOMERS,
        help_text=f"External ids (at most {MAX_CUSTOMERS}); without it, the whole kind is forgotten.",
    )


class InvalidateOutput(serializers.Serializer[Any]):
    kind = serializers.CharField()
    scope = serializers.ChoiceField(choices=["customers", "all"])
    customers = serializers.IntegerField(help_text="How many customers' entries were forgotten (0 for all).")


class CacheView(APIView):
    """The cache's statistics and each kind of entry the platform keeps in it. Staff only."""

    @extend_schema(responses={200: CacheOutput, 503: error("cache_unavailable")})
    def get(self, request: Request) -> Response:
        try:
            stats = cache_statistics()
            kinds = [
                {"kind": name, "description": kind.description, "generation": kind.generation(),
                 "entries": cached_entries(kind.pattern)}
                for name, kind in CACHE_KINDS.items()
            ]  # fmt: skip
        except CacheUnavailable as exc:
            raise CacheDown from exc
        return Response(CacheOutput({**vars(stats), "hit_rate": stats.hit_rate, "kinds": kinds}).data)


class CacheInvalidateView(APIView):
    """Forget one kind of cached entry, for some customers or for all. Staff only."""

    @extend_schema(
        request=InvalidateInput,
        responses={200: InvalidateOutput, 400: error("validation_error"), 503: error("cache_unavailable")},
        examples=[
            OpenApiExample(
                "Two customers",
                value={"kind": "recommendations", "customers": ["17850", "13047"]},
                request_only=True,
            ),
            OpenApiExample("Everyone", value={"kind": "recommendations"}, request_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        data = InvalidateInput(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["kind"]
        external_ids = data.validated_data.get("customers")
        customer_ids = None if external_ids is None else _customer_ids(external_ids)
        if customer_ids is None:
            CACHE_KINDS[name].forget_all()
        else:
            CACHE_KINDS[name].forget_customers(customer_ids)
        if cache_unavailable():  # a generation that was not raised forgets nothing once it is back
            raise CacheDown
        scope = "all" if customer_ids is None else "customers"
        return Response(
            InvalidateOutput({"kind": name, "scope": scope, "customers": len(customer_ids or [])}).data
        )


def _customer_ids(external_ids: list[str]) -> list[int]:
    """The customers' ids, once each; every unknown one is named, and then nothing is forgotten."""
    found = dict(Customer.objects.filter(external_id__in=external_ids).values_list("external_id", "pk"))
    unknown = [i for i, external_id in enumerate(external_ids) if external_id not in found]
    if unknown:
        raise FieldErrors(
            [
                {"field": f"customers.{i}", "code": "not_found", "message": "No such customer."}
                for i in unknown
            ]
        )
    return list(dict.fromkeys(found[external_id] for external_id in external_ids))
