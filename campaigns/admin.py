"""Where marketing staff work: the template designer with its live preview, segments with
their live count, campaigns with their schedule and results."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from campaigns.models import Campaign, CampaignVariant, EmailTemplate, Segment
from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from campaigns.rendering.email import BLOCKS, VARIABLES, TemplateSource
from campaigns.rendering.sandbox import TemplateProblem
from campaigns.selectors import (
    SegmentRules,
    VariantResult,
    campaign_results,
    campaign_winner,
    reachable_customers,
    segment_customers,
)
from campaigns.services.emails import email_preview, email_send_test
from campaigns.services.lifecycle import campaign_recurrence_set, campaign_transition, cron_fields
from campaigns.services.runs import CampaignNotReady
from catalog.models import Category
from catalog.selectors import category_tree
from customers.models import Customer, Interest
from customers.selectors import customer_countries

PREVIEW_CUSTOMERS = 40


class TemplateForm(forms.ModelForm[EmailTemplate]):
    class Meta:
        model = EmailTemplate
        fields = ("name", "language", "customer_facing", "subject", "preheader", "html_body", "text_body")
        widgets = {
            "html_body": forms.Textarea(attrs={"rows": 22, "class": "code", "spellcheck": "false"}),
            "text_body": forms.Textarea(attrs={"rows": 6, "class": "code", "spellcheck": "false"}),
            "subject": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "preheader": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin[EmailTemplate]):
    form = TemplateForm
    change_form_template = "admin/campaigns/emailtemplate/change_form.html"
    list_display = ("name", "subject", "language", "customer_facing", "updated_at")
    list_filter = ("customer_facing", "language")
    search_fields = ("name", "subject", "html_body")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"class": "code"})}}

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new template starts from the built-in one, not from a blank page."""
        return {
            "subject": DEFAULT_TEMPLATE.subject,
            "preheader": DEFAULT_TEMPLATE.preheader,
            "html_body": DEFAULT_TEMPLATE.html_body,
            **super().get_changeform_initial_data(request),
        }

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("preview/", view(self.preview_view), name="campaigns_emailtemplate_preview"),
            path("send-test/", view(self.send_test_view), name="campaigns_emailtemplate_send_test"),
        ]
        return own + super().get_urls()

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        context.update(
            preview_customers=_preview_customers(),
            template_variables=VARIABLES,
            template_blocks=BLOCKS,
            staff_email=getattr(request.user, "email", ""),
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The editor's current (unsaved) content rendered for a customer, as JSON."""
        found = self._editor_request(request)
        if isinstance(found, JsonResponse):
            return found
        source, customer = found
        try:
            rendered, data = email_preview(source=source, customer=customer)
        except TemplateProblem as problem:
            return JsonResponse({"ok": False, "message": problem.message, "part": problem.part,
                                 "line": problem.line})  # fmt: skip
        return JsonResponse({
            "ok": True, "subject": rendered.subject, "preheader": rendered.preheader, "html": rendered.html,
            "text": rendered.text, "mode": data.recommendation_mode, "customer": str(customer),
        })  # fmt: skip

    def send_test_view(self, request: HttpRequest) -> HttpResponse:
        """Send the editor's content, rendered for the chosen customer, to a staff address."""
        found = self._editor_request(request)
        if isinstance(found, JsonResponse):
            return found
        source, customer = found
        to = request.POST.get("to", "").strip().lower()
        if not to or not get_user_model().objects.filter(is_staff=True, email__iexact=to).exists():
            return JsonResponse({"ok": False, "message": "Test emails go only to staff members' addresses."})
        try:
            email_send_test(source=source, customer=customer, to=to)
        except TemplateProblem as problem:
            return JsonResponse({"ok": False, "message": str(problem)})
        except OSError as exc:
            return JsonResponse({"ok": False, "message": f"The mail server refused it: {exc}"})
        return JsonResponse({"ok": True, "message": f"Test email sent to {to}."})

    def _editor_request(self, request: HttpRequest) -> tuple[TemplateSource, Customer] | JsonResponse:
        """The editor's fields and the customer picked, or the JSON answer that refuses them."""
        if request.method != "POST":
            return JsonResponse({"ok": False, "message": "POST the editor's fields."}, status=405)
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        customer = Customer.objects.filter(external_id=request.POST.get("customer", "")).first()
        if customer is None:
            return JsonResponse({"ok": False, "message": "Pick a customer to preview for."})
        return _source(request), customer


def _source(request: HttpRequest) -> TemplateSource:
    return TemplateSource(
        subject=request.POST.get("subject", ""),
        preheader=request.POST.get("preheader", ""),
        html_body=request.POST.get("html_body", ""),
        text_body=request.POST.get("text_body", ""),
        language=request.POST.get("language", "en"),
    )


def _preview_customers() -> list[tuple[str, str]]:
    """Customers worth previewing for: the most active, and one without any history."""
    active = (
        Customer.objects.annotate(lines=Count("purchases"))
        .order_by("-lines", "pk")
        .values_list("external_id", "name", "country", "lines")[:PREVIEW_CUSTOMERS]
    )
    found = [
        (e, f"{e} · {name or 'no name'} · {country or '-'} · {n} lines") for e, name, country, n in active
    ]
    newcomers = Customer.objects.filter(purchases__isnull=True, events__isnull=True)
    newcomer = newcomers.values_list("external_id", flat=True).first()
    if newcomer:
        found.append((newcomer, f"{newcomer} · no history yet"))
    return found


class CategoryTreeSelect(forms.CheckboxSelectMultiple):
    """Checkboxes indented by their depth in the category tree (``depths``: by category id)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.depths: dict[int, int] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["data-depth"] = self.depths.get(int(str(value)), 0)
        return option


class CountryPicker(FilteredSelectMultiple):
    """The admin's two-list picker in a box of its own: its script puts the picker first in
    its parent, which would be ahead of the field's label."""

    def render(self, *args: Any, **kwargs: Any) -> SafeString:
        return format_html('<div class="related-widget-wrapper">{}</div>', super().render(*args, **kwargs))


class SegmentForm(forms.ModelForm[Segment]):
    """Countries picked among the customers' own, categories from the catalog's tree."""

    countries = forms.MultipleChoiceField(
        required=False,
        widget=CountryPicker("countries", is_stacked=False),
        help_text="Customers in any of these countries (every country a customer is in).",
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(),
        required=False,
        widget=CategoryTreeSelect(attrs={"class": "category-tree"}),
        help_text="Customers who bought in any of these categories; a top category includes those below it.",
    )

    class Meta:
        model = Segment
        fields = ("name", "interests", "categories", "countries", "purchased_within_days",
                  "not_purchased_within_days", "min_spend", "max_spend")  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        saved = self.instance.countries if isinstance(self.instance.countries, list) else []
        countries = sorted({*customer_countries(), *map(str, saved)})
        cast(forms.ChoiceField, self.fields["countries"]).choices = [
            (country, country) for country in countries
        ]
        tree = category_tree()
        categories = cast(forms.ModelMultipleChoiceField, self.fields["categories"])
        categories.choices = [(category.pk, category.name) for category, _ in tree]
        cast(CategoryTreeSelect, categories.widget).depths = {category.pk: depth for category, depth in tree}
        interests = cast(forms.ModelMultipleChoiceField, self.fields["interests"])
        interests.queryset = Interest.objects.select_related("topic")  # its labels name the topic

    def rules(self) -> SegmentRules:
        data = self.cleaned_data
        return SegmentRules(
            interest_ids=[i.pk for i in data.get("interests") or []],
            category_ids=[c.pk for c in data.get("categories") or []],
            countries=list(data.get("countries") or []),
            purchased_within_days=data.get("purchased_within_days"),
            not_purchased_within_days=data.get("not_purchased_within_days"),
            min_spend=data.get("min_spend"),
            max_spend=data.get("max_spend"),
        )


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin[Segment]):
    form = SegmentForm
    change_form_template = "admin/campaigns/segment/change_form.html"
    list_display = ("name", "reachable", "updated_at")
    search_fields = ("name",)
    filter_horizontal = ("interests",)
    autocomplete_fields = ()

    @admin.display(description="Reachable now")
    def reachable(self, segment: Segment) -> int:
        return segment_customers(segment).count()

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [path("count/", view(self.count_view), name="campaigns_segment_count"), *super().get_urls()]

    def count_view(self, request: HttpRequest) -> HttpResponse:
        """The live count: the form's current (unsaved) rules, counted."""
        if request.method != "POST":
            return JsonResponse({"ok": False, "message": "POST the form."}, status=405)
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = SegmentForm(request.POST)
        form.is_valid()  # the name may be taken or empty: only the rules matter here
        rule_fields = set(SegmentForm.Meta.fields) - {"name"}
        problems = [f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
                    if name in rule_fields]  # fmt: skip
        if problems:
            return JsonResponse({"ok": False, "message": "; ".join(problems)})
        return JsonResponse({"ok": True, "count": segment_customers(form.rules()).count(),
                             "reachable": reachable_customers().count()})  # fmt: skip


class VariantInline(admin.TabularInline[CampaignVariant, Campaign]):
    model = CampaignVariant
    extra = 0
    min_num = 1
    fields = ("label", "template", "share")


class CampaignForm(forms.ModelForm[Campaign]):
    repeat = forms.CharField(
        required=False, label="Repeat (cron, UTC)",
        help_text="minute hour day month weekday, e.g. “0 9 * * 1”: Mondays 09:00. Empty: once, at its time.",
    )  # fmt: skip

    class Meta:
        model = Campaign
        fields = ("name", "segment", "send_at", "repeat", "emails_per_second", "winner_metric")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schedule = self.instance.schedule if self.instance.pk else None
        if schedule is not None and schedule.crontab is not None:
            c = schedule.crontab
            self.initial["repeat"] = f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}"

    def clean_repeat(self) -> str:
        cron: str = self.cleaned_data.get("repeat", "").strip()
        if cron:
            try:
                cron_fields(cron)
            except CampaignNotReady as exc:
                raise forms.ValidationError(str(exc)) from None
        return cron


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    form = CampaignForm
    inlines = (VariantInline,)
    list_display = ("name", "state", "segment", "when", "sent_count", "updated_at")
    list_filter = ("state",)
    search_fields = ("name",)
    readonly_fields = ("state", "results")
    actions = ("schedule", "pause", "cancel")

    def get_fieldsets(self, request: HttpRequest, obj: Campaign | None = None) -> Any:
        main = ("name", "state", "segment", "send_at", "repeat", "emails_per_second", "winner_metric")
        sets: list[Any] = [(None, {"fields": main})]
        if obj is not None:
            sets.append(("Results", {"fields": ("results",)}))
        return sets

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        campaign_recurrence_set(campaign=obj, cron=form.cleaned_data.get("repeat", ""))

    @admin.display(description="When")
    def when(self, campaign: Campaign) -> str:
        if campaign.schedule is not None and campaign.schedule.crontab is not None:
            return f"repeats: {campaign.schedule.crontab.human_readable}"
        return date_format(campaign.send_at, "DATETIME_FORMAT") if campaign.send_at else "—"

    @admin.display(description="Sent")
    def sent_count(self, campaign: Campaign) -> int:
        return sum(r.sent for r in campaign_results(campaign))

    @admin.display(description="Results per variant")
    def results(self, campaign: Campaign) -> str:
        rows = campaign_results(campaign)
        if not rows:
            return "Nothing sent yet."
        winner = campaign_winner(campaign, rows)
        header = format_html_join("", "<th>{}</th>", ((h,) for h in RESULT_COLUMNS))
        body = format_html_join(
            "",
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td></tr>",
            (
                (r.label, " ★ leading" if r.label == winner else "", r.template, r.recipients, r.sent,
                 f"{r.skipped} / {r.failed}", _counted(r, r.delivered), _counted(r, r.opened),
                 _counted(r, r.clicked), _counted(r, r.unsubscribed), _counted(r, r.bounced + r.complained))
                for r in rows
            ),
        )  # fmt: skip
        table = '<table class="campaign-results"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>'
        return format_html(table, header, body)

    def _move(self, request: HttpRequest, queryset: QuerySet[Campaign], action: str) -> None:
        for campaign in queryset:
            try:
                campaign_transition(campaign_id=campaign.pk, action=action)
            except CampaignNotReady as exc:
                self.message_user(request, f"{campaign}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{campaign}: {action}d.", messages.SUCCESS)

    @admin.action(description="Schedule (or resume) the selected campaigns")
    def schedule(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._move(request, queryset, "schedule")

    @admin.action(description="Pause the selected campaigns")
    def pause(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._move(request, queryset, "pause")

    @admin.action(description="Cancel the selected campaigns")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._move(request, queryset, "cancel")


RESULT_COLUMNS = ("Variant", "Template", "Recipients", "Sent", "Skipped / failed", "Delivered", "Opened",
                  "Clicked", "Unsubscribed", "Bounced or complained")  # fmt: skip


def _counted(result: VariantResult, count: int) -> str:
    return f"{count} ({result.rate(count):.1%})"
