"""POST /api/v1/customers/{id}/email: the customer's personalised email, rendered, with the
data it was made from."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.api.examples import EMAIL_EXAMPLES
from campaigns.comparison import Comparison, campaign_comparison
from campaigns.models import Campaign, CampaignState, EmailTemplate
from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from campaigns.rendering.sandbox import TemplateProblem
from campaigns.selectors import VariantResult, campaign_results, email_template_for
from campaigns.services.emails import email_preview, template_source
from customers.api.lookup import customer_pk_or_404
from customers.models import Customer
from marketing_platform.api.errors import PlatformError
from marketing_platform.api.principal import principal_of
from marketing_platform.api.schema import error
from marketing_platform.api.scopes import Scope
from marketing_platform.api.strict import StrictSerializer


class TemplateDoesNotRender(PlatformError):
    status_code = 422
    default_code = "template_error"
    default_detail = "The template does not render."


class EmailInput(StrictSerializer):
    template = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
        help_text="An email template's id; without one, the built-in recommendations email. Staff may "
        "use any template; customers and API keys only those staff made customer-facing.",
    )  # fmt: skip


class EmailProductOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    sku = serializers.CharField()
    price = serializers.CharField()
    url = serializers.CharField(help_text="A tracked link to the product.")
    reason = serializers.CharField()
    image_url = serializers.CharField()


class EmailCustomerOutput(serializers.Serializer[Any]):
    """The customer's record as a template reads it; what they last wrote is left out here, as
    messages are read only by staff and the customer's own login (their email may still use it)."""

    first_name = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_blank=True)
    external_id = serializers.CharField()


class PersonalizationOutput(serializers.Serializer[Any]):
    customer = EmailCustomerOutput()
    recommendations = EmailProductOutput(many=True)
    recommendation_mode = serializers.CharField(help_text="As in the recommendations endpoint.")
    interests = serializers.ListField(child=serializers.CharField())
    vision_board = serializers.DictField(child=serializers.CharField(), allow_null=True)
    unsubscribe_url = serializers.CharField()


class EmailOutput(serializers.Serializer[Any]):
    customer = serializers.CharField()
    template = serializers.IntegerField(allow_null=True)
    subject = serializers.CharField()
    preheader = serializers.CharField(allow_blank=True)
    html = serializers.CharField()
    text = serializers.CharField()
    personalization = PersonalizationOutput()


class CustomerEmailView(APIView):
    """Render (not send) the email this customer would get. A customer with little data gets
    generic but relevant content: bestsellers of their declared interests, then overall.

    Staff may render any template (drafts included); customers and API keys only the built-in
    email and templates staff made customer-facing. Any other id is a 404, the same as an
    unknown one, so template ids cannot be discovered."""

    scopes = {"POST": Scope.EMAILS_RENDER}
    customer_methods = frozenset({"POST"})  # a customer may see its own email ("view in the browser")

    @extend_schema(
        request=EmailInput,
        examples=EMAIL_EXAMPLES,
        responses={
            200: EmailOutput,
            400: error("validation_error"),
            404: error("not_found"),
            422: error("template_error"),
        },
    )
    def post(self, request: Request, external_id: str) -> Response:
        params = EmailInput(data=request.data)
        params.is_valid(raise_exception=True)
        customer = Customer.objects.get(pk=customer_pk_or_404(request, external_id))
        template = _template_or_404(request, params.validated_data.get("template"))
        source = template_source(template) if template else DEFAULT_TEMPLATE
        try:
            rendered, data = email_preview(source=source, customer=customer)
        except TemplateProblem as exc:
            raise TemplateDoesNotRender(str(exc), details={"part": exc.part, "line": exc.line}) from None
        personalization = {**data.variables(), "recommendation_mode": data.recommendation_mode}
        personalization["recommendations"] = [asdict(p) for p in data.recommendations]
        return Response(
            EmailOutput(
                {
                    "customer": external_id,
                    "template": template.pk if template else None,
                    **asdict(rendered),
                    "personalization": personalization,
                }
            ).data
        )


def _template_or_404(request: Request, template_id: int | None) -> EmailTemplate | None:
    if template_id is None:
        return None
    template = email_template_for(principal_of(request), template_id)
    if template is None:
        raise exceptions.NotFound("No such email template.")
    return template


class VariantResultOutput(serializers.Serializer[Any]):
    variant = serializers.CharField(source="label")
    template = serializers.CharField()
    recipients = serializers.IntegerField()
    sent = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    bounced = serializers.IntegerField()
    complained = serializers.IntegerField()


class ComparisonOutput(serializers.Serializer[Any]):
    metric = serializers.CharField(help_text="The campaign's winner metric, e.g. “click rate”.")
    leader = serializers.CharField(allow_null=True, help_text="None until the data say which leads.")
    confidence = serializers.FloatField(
        allow_null=True, help_text="0 to 1: 1 - the two-sided p-value of the two-proportion z-test."
    )
    summary = serializers.CharField()


class CampaignOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=CampaignState.choices)
    segment = serializers.CharField()
    send_at = serializers.DateTimeField(allow_null=True)
    waiting_for = serializers.CharField(
        help_text="Why its due run has not started yet (it is tried again); empty when nothing waits."
    )
    repeats = serializers.SerializerMethodField()
    winner_metric = serializers.CharField()
    winner = serializers.SerializerMethodField(
        help_text="The variant ahead on the winner metric, once there is enough data to compare."
    )
    comparison = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    def _results(self, campaign: Campaign) -> list[VariantResult]:
        cache: dict[int, list[VariantResult]] = self.context.setdefault("results", {})
        if campaign.pk not in cache:
            cache[campaign.pk] = campaign_results(campaign)
        return cache[campaign.pk]

    def get_repeats(self, campaign: Campaign) -> str | None:
        crontab = campaign.schedule.crontab if campaign.schedule else None
        return str(crontab.human_readable) if crontab else None

    def _comparison(self, campaign: Campaign) -> Comparison:
        return campaign_comparison(campaign.winner_metric, self._results(campaign))

    def get_winner(self, campaign: Campaign) -> str | None:
        return self._comparison(campaign).leader

    @extend_schema_field(ComparisonOutput)
    def get_comparison(self, campaign: Campaign) -> dict[str, Any]:
        return dict(ComparisonOutput(self._comparison(campaign)).data)

    @extend_schema_field(VariantResultOutput(many=True))
    def get_results(self, campaign: Campaign) -> list[dict[str, Any]]:
        return list(VariantResultOutput(self._results(campaign), many=True).data)


class CampaignList(generics.ListAPIView[Campaign]):
    """Campaigns, newest first, with their results per variant."""

    scopes = {"GET": Scope.CAMPAIGNS_READ}
    serializer_class = CampaignOutput
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Campaign]:
        return Campaign.objects.select_related("segment", "schedule__crontab")


class CampaignDetail(generics.RetrieveAPIView[Campaign]):
    scopes = {"GET": Scope.CAMPAIGNS_READ}
    serializer_class = CampaignOutput

    def get_queryset(self) -> QuerySet[Campaign]:
        return Campaign.objects.select_related("segment", "schedule__crontab")
