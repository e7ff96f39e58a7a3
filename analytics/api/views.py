"""GET /api/v1/analytics/…: the figures of the admin's analytics page, read from the aggregates.
Staff, or an API key with ``analytics:read``; nothing here writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.api.examples import (
    ACTIVITY_EXAMPLES,
    CAMPAIGN_EXAMPLES,
    COHORT_EXAMPLES,
    RFM_EXAMPLES,
    STRATEGY_EXAMPLES,
)
from analytics.attribution_models import Channel
from analytics.attribution_selectors import campaign_figures_over_time, strategy_performance
from analytics.audiences import rfm_segment_customers
from analytics.errors import AnalyticsError
from analytics.rfm import RfmSegment
from analytics.selectors import (
    Period,
    cohort_retention,
    daily_activity_compare,
    period_length,
    rfm_segment_counts,
)
from campaigns.models import Campaign
from customers.models import Customer
from marketing_platform.api.errors import PlatformError
from marketing_platform.api.pagination import Cursor
from marketing_platform.api.schema import error
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import StrictSerializer

BAD_PERIOD = error("validation_error", "invalid_period")


class InvalidPeriod(PlatformError):
    default_code = "invalid_period"
    default_detail = "The period cannot be read."


class PeriodInput(StrictSerializer):
    since = serializers.DateField(help_text="The period's first day (YYYY-MM-DD).")
    until = serializers.DateField(help_text="Its last day, included.")


class StrategiesInput(PeriodInput):
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="Only what was shown there; both by default."
    )


class CohortsInput(StrictSerializer):
    since = serializers.DateField(required=False, help_text="Cohorts from this day's month.")
    until = serializers.DateField(required=False, help_text="Cohorts up to this day's month.")


class RfmInput(StrictSerializer):
    segment = serializers.ChoiceField(
        choices=[segment.value for segment in RfmSegment],
        required=False,
        help_text="List this segment's members instead of every segment's count.",
    )


class MoneyOutput(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=16, decimal_places=3, help_text="A decimal string.")
    currency = serializers.CharField(help_text="ISO 4217.")


class ActivityCountsOutput(serializers.Serializer[Any]):
    orders = serializers.IntegerField()
    events = serializers.IntegerField()
    messages = serializers.IntegerField()


class ActivityDayOutput(ActivityCountsOutput):
    day = serializers.DateField()
    active_customers = serializers.IntegerField(help_text="With a purchase, an event or a message that day.")
    revenue = MoneyOutput(many=True, help_text="Sales less returns, per currency (never added across).")


class PeriodTotalsOutput(ActivityCountsOutput):
    since = serializers.DateField()
    until = serializers.DateField()
    mean_active_customers = serializers.FloatField(help_text="Per day: one customer is active on many days.")
    revenue = MoneyOutput(many=True)


class ActivityOutput(serializers.Serializer[Any]):
    days = ActivityDayOutput(many=True, help_text="Every day of the period, those without activity at zero.")
    totals = PeriodTotalsOutput()
    previous = PeriodTotalsOutput(help_text="The period of the same length just before, to compare.")


class CampaignDayOutput(serializers.Serializer[Any]):
    day = serializers.DateField()
    variant = serializers.CharField()
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    bounced = serializers.IntegerField()
    complained = serializers.IntegerField()
    converted = serializers.IntegerField(help_text="Purchases that day attributed to a click in its email.")
    revenue = MoneyOutput(help_text="Their revenue, in the shop's currency.")


class CampaignPerformanceOutput(serializers.Serializer[Any]):
    campaign = serializers.IntegerField()
    name = serializers.CharField()
    days = CampaignDayOutput(
        many=True, help_text="Each day and variant with something to count, oldest first."
    )


class StrategyOutput(serializers.Serializer[Any]):
    strategy = serializers.CharField()
    shown = serializers.IntegerField(help_text="Products shown, in emails or API answers.")
    clicked = serializers.IntegerField()
    bought = serializers.IntegerField(help_text="Purchases attributed to a click on what it showed.")
    revenue = MoneyOutput(help_text="Their revenue, in the shop's currency.")
    conversion_rate = serializers.FloatField(help_text="Bought per product shown.")


class StrategiesOutput(serializers.Serializer[Any]):
    since = serializers.DateField()
    until = serializers.DateField()
    channel = serializers.CharField(allow_null=True)
    strategies = StrategyOutput(many=True, help_text="Most attributed revenue first, then most purchases.")


class RfmSegmentOutput(serializers.Serializer[Any]):
    segment = serializers.CharField()
    customers = serializers.IntegerField()


class RfmCountsOutput(serializers.Serializer[Any]):
    segments = RfmSegmentOutput(many=True, help_text="Every segment, the empty ones at zero.")


class RfmMemberOutput(serializers.Serializer[Customer]):
    external_id = serializers.CharField()
    orders = serializers.IntegerField(source="engagement.orders")
    monetary = serializers.SerializerMethodField(help_text="Net spend, in the shop's currency.")
    first_purchase_at = serializers.DateTimeField(source="engagement.first_purchase_at")
    last_purchase_at = serializers.DateTimeField(source="engagement.last_purchase_at")

    @extend_schema_field(MoneyOutput)
    def get_monetary(self, customer: Customer) -> dict[str, Any]:
        return dict(MoneyOutput(_money(customer.engagement.monetary)).data)


class RfmMembersPage(serializers.Serializer[Any]):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RfmMemberOutput(many=True)


class CohortOutput(serializers.Serializer[Any]):
    month = serializers.DateField(help_text="The first day of its customers' first-purchase month.")
    customers = serializers.IntegerField()
    retained = serializers.ListField(
        child=serializers.FloatField(), help_text="The share buying in month +1, +2, … (as far as known)."
    )


class CohortsOutput(serializers.Serializer[Any]):
    cohorts = CohortOutput(many=True, help_text="Oldest first.")


def _money(amount: Decimal, currency: str | None = None) -> dict[str, Any]:
    return {"amount": amount, "currency": currency or settings.DEFAULT_CURRENCY}


def _totals(period: Period) -> dict[str, Any]:
    return {
        "since": period.since,
        "until": period.until,
        **period.totals,
        "mean_active_customers": period.mean_active_customers,
        "revenue": [_money(amount, currency) for currency, amount in period.revenue.items()],
    }


def _valid(
    serializer: type[StrictSerializer], request: Request, names: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The query string, checked (only ``names`` of it when given: the rest is the paginator's)."""
    raw = request.query_params.dict()
    params = serializer(data={k: v for k, v in raw.items() if k in names} if names else raw)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


@contextmanager
def _periods_checked() -> Iterator[None]:
    """What the selectors refuse (``analytics.errors``), answered in the envelope."""
    try:
        yield
    except AnalyticsError as exc:
        raise InvalidPeriod(str(exc)) from exc


class ActivityView(APIView):
    scopes = {"GET": Scope.ANALYTICS_READ}

    @extend_schema(
        parameters=[PeriodInput], responses={200: ActivityOutput, 400: BAD_PERIOD}, examples=ACTIVITY_EXAMPLES
    )
    def get(self, request: Request) -> Response:
        """Per day: active customers, orders, events, messages and revenue per currency; the
        period's totals, and the totals of the period of the same length just before."""
        query = _valid(PeriodInput, request)
        with _periods_checked():
            compared = daily_activity_compare(since=query["since"], until=query["until"])
        days = [
            {
                **vars(day),
                "revenue": [_money(amount, currency) for currency, amount in sorted(day.revenue.items())],
            }
            for day in compared.current.days
        ]
        body = {"days": days, "totals": _totals(compared.current), "previous": _totals(compared.previous)}
        return Response(ActivityOutput(body).data)


class CampaignPerformanceView(APIView):
    scopes = {"GET": Scope.ANALYTICS_READ}

    @extend_schema(responses={200: CampaignPerformanceOutput}, examples=CAMPAIGN_EXAMPLES)
    def get(self, request: Request, pk: int) -> Response:
        """The campaign's figures per day and variant: its emails' events each on the day of its
        stamp, and the purchases attributed to them on the day of the purchase."""
        campaign = get_object_or_404(Campaign.objects.only("pk", "name"), pk=pk)
        days = [
            {**vars(figures), "revenue": _money(figures.revenue)}
            for figures in campaign_figures_over_time(campaign_id=campaign.pk)
        ]
        return Response(
            CampaignPerformanceOutput({"campaign": campaign.pk, "name": campaign.name, "days": days}).data
        )


class StrategiesView(APIView):
    scopes = {"GET": Scope.ANALYTICS_READ}

    @extend_schema(
        parameters=[StrategiesInput],
        responses={200: StrategiesOutput, 400: BAD_PERIOD},
        examples=STRATEGY_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        """Per recommendation strategy over the period: products shown, clicked, purchases
        attributed to those clicks, their revenue and the conversion rate."""
        query = _valid(StrategiesInput, request)
        with _periods_checked():
            period_length(since=query["since"], until=query["until"])
        found = strategy_performance(since=query["since"], until=query["until"], channel=query.get("channel"))
        strategies = [
            {**vars(figures), "revenue": _money(figures.revenue), "conversion_rate": figures.conversion_rate}
            for figures in found
        ]
        body = {"since": query["since"], "until": query["until"], "channel": query.get("channel"),
                "strategies": strategies}  # fmt: skip
        return Response(StrategiesOutput(body).data)


class RfmView(generics.GenericAPIView[Customer]):
    """Every RFM segment's count; with ``segment``, that segment's members by external id."""

    scopes = {"GET": Scope.ANALYTICS_READ}
    serializer_class = RfmMemberOutput
    filter_backends = (OrderingFilter,)
    ordering_fields = ("external_id",)
    ordering = ("external_id",)

    def get_queryset(self) -> QuerySet[Customer]:
        segment = RfmSegment(self.kwargs["segment"])
        return Customer.objects.filter(pk__in=rfm_segment_customers([segment])).select_related("engagement")

    @extend_schema(
        parameters=[
            RfmInput,
            OpenApiParameter("cursor", str, description="The page: a `next` or `previous` link's."),
            OpenApiParameter("page_size", int, description="Members a page, 1 to 500; default 50."),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="RfmAnswer",
                serializers=[RfmCountsOutput, RfmMembersPage],
                resource_type_field_name=None,
            ),
            400: error("validation_error"),
        },
        examples=RFM_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        """Customers are scored 1 to 5 on recency, orders and spend among every buyer, and
        named by the recency × frequency grid (Champions to Hibernating). Without ``segment``:
        each segment's count; with it: its members, cursor-paginated (``cursor``, ``page_size``)."""
        segment = _valid(RfmInput, request, ("segment",)).get("segment")
        if segment is None:  # the paging parameters are checked all the same: a bad one is a 400
            Cursor().get_page_size(request)
            if "cursor" in request.query_params:
                raise serializers.ValidationError(
                    {"cursor": ["A cursor pages a segment's members: give segment."]}
                )
            counts = [
                {"segment": name.value, "customers": count} for name, count in rfm_segment_counts().items()
            ]
            return Response(RfmCountsOutput({"segments": counts}).data)
        self.kwargs["segment"] = segment
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CohortsView(APIView):
    scopes = {"GET": Scope.ANALYTICS_READ}

    @extend_schema(
        parameters=[CohortsInput], responses={200: CohortsOutput, 400: BAD_PERIOD}, examples=COHORT_EXAMPLES
    )
    def get(self, request: Request) -> Response:
        """Customers grouped by the month of their first purchase: each cohort's size and the
        share of it buying again in each later month."""
        query = _valid(CohortsInput, request)
        if "since" in query and "until" in query:
            with _periods_checked():
                period_length(since=query["since"], until=query["until"])
        cohorts = cohort_retention(since=query.get("since"), until=query.get("until"))
        return Response(CohortsOutput({"cohorts": [vars(cohort) for cohort in cohorts]}).data)
