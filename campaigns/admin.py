"""Where marketing staff work: the template designer with its live preview, segments with
their live count, campaigns with their schedule and results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from analytics.campaign_charts import campaign_performance_charts
from analytics.rfm import RfmSegment
from campaigns.comparison import campaign_comparison
from campaigns.errors import CampaignLocked, CampaignNotReady, SegmentUnavailable
from campaigns.models import (
    Campaign,
    CampaignState,
    CampaignVariant,
    EmailTemplate,
    Segment,
    SendStatus,
    Strictness,
)
from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from campaigns.rendering.email import BLOCKS, VARIABLES, TemplateSource
from campaigns.rendering.sandbox import TemplateProblem
from campaigns.selectors import (
    SegmentRules,
    VariantResult,
    campaign_board_outlook,
    campaign_results,
    campaign_started,
    reachable_customers,
    segment_customers,
)
from campaigns.services.content import (
    campaign_save,
    campaign_variants_save,
    email_template_check,
    email_template_save,
)
from campaigns.services.emails import email_preview, email_send_test
from campaigns.services.lifecycle import (
    NEXT,
    SENDABLE_NOW,
    campaign_recurrence_set,
    campaign_send_now,
    campaign_transition,
    cron_fields,
)
from catalog.models import Category
from catalog.selectors import category_tree
from customers.models import Customer, Interest
from customers.selectors import customer_countries

PREVIEW_CUSTOMERS = 40


class RefusalAsMessage:
    """A save refused because a campaign started sending meanwhile (after the page was built),
    said plainly instead of as a server error."""

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
        except CampaignLocked as exc:
            self.message_user(request, str(exc), messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


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

    def clean(self) -> dict[str, Any]:
        """A template campaigns started sending with keeps its content (the designer keeps the
        edits on the page, to be saved as a new template)."""
        super().clean()
        if self.instance.pk is not None:
            try:
                email_template_check(template_id=self.instance.pk, changed=self.changed_data)
            except CampaignLocked as exc:
                raise forms.ValidationError(str(exc)) from None
        return self.cleaned_data


@admin.register(EmailTemplate)
class EmailTemplateAdmin(RefusalAsMessage, admin.ModelAdmin[EmailTemplate]):
    form = TemplateForm
    change_form_template = "admin/campaigns/emailtemplate/change_form.html"
    list_display = ("name", "subject", "language", "customer_facing", "updated_at")
    save_as = True  # "Save as new": how a template campaigns sent with is edited
    list_filter = ("customer_facing", "language")
    search_fields = ("name", "subject", "html_body")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"class": "code"})}}

    def save_model(self, request: HttpRequest, obj: EmailTemplate, form: Any, change: bool) -> None:
        email_template_save(template=obj)

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


class MonthField(forms.DateField):
    """A month, picked as one (``YYYY-MM``), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return None if day is None else day.replace(day=1)


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

    rfm_segments = forms.TypedMultipleChoiceField(
        label="RFM segment is one of",
        choices=[(segment.value, segment.value) for segment in RfmSegment],
        coerce=RfmSegment,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Customers whose recency and frequency scores (1 to 5 among every buyer) name one of "
        "these segments, as the analytics page shows them.",
    )
    first_purchase_from = MonthField(label="First purchase from", help_text="A month: their cohort or later.")
    first_purchase_to = MonthField(label="First purchase to", help_text="A month: their cohort or earlier.")

    class Meta:
        model = Segment
        fields = ("name", "interests", "categories", "countries", "purchased_within_days",
                  "not_purchased_within_days", "min_spend", "max_spend", "sent_intents",
                  "sent_intent_within_days", "last_message_intents", "talks_about",
                  "talks_about_within_days", "talks_about_strictness", "rfm_segments",
                  "first_purchase_from", "first_purchase_to")  # fmt: skip
        widgets = {"sent_intents": forms.CheckboxSelectMultiple,
                   "last_message_intents": forms.CheckboxSelectMultiple}  # fmt: skip

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
        self.fields["talks_about_strictness"].required = False  # left out: normal

    def clean_talks_about_strictness(self) -> str:
        return self.cleaned_data.get("talks_about_strictness") or Strictness.NORMAL

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_purchase_from"), cleaned.get("first_purchase_to")
        if first is not None and last is not None and first > last:
            self.add_error("first_purchase_to", "Choose a month no earlier than the first.")
        return cleaned

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
            sent_intent_ids=[i.pk for i in data.get("sent_intents") or []],
            sent_intent_within_days=data.get("sent_intent_within_days"),
            last_message_intent_ids=[i.pk for i in data.get("last_message_intents") or []],
            talks_about=data.get("talks_about") or "",
            talks_about_within_days=data.get("talks_about_within_days"),
            talks_about_strictness=Strictness(data.get("talks_about_strictness", Strictness.NORMAL)),
            rfm_segments=list(data.get("rfm_segments") or []),
            first_purchase_from=data.get("first_purchase_from"),
            first_purchase_to=data.get("first_purchase_to"),
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
    def reachable(self, segment: Segment) -> int | str:
        try:
            return segment_customers(segment).count()
        except SegmentUnavailable:
            return "unavailable: the message search is down"

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
        try:
            count = segment_customers(form.rules()).count()
        except SegmentUnavailable as exc:
            return JsonResponse({"ok": False, "message": f"Count unavailable. {exc}"})
        return JsonResponse({"ok": True, "count": count, "reachable": reachable_customers().count()})


class VariantInline(admin.TabularInline[CampaignVariant, Campaign]):
    """Read-only once the campaign started sending (``campaign_variants_save`` refuses too)."""

    model = CampaignVariant
    extra = 0
    min_num = 1
    fields = ("label", "template", "share")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and not _started(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not _started(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not _started(obj)


def _started(campaign: Campaign | None) -> bool:
    return campaign is not None and campaign.pk is not None and campaign_started(campaign)


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


@dataclass(frozen=True)
class Button:
    move: str
    label: str
    style: str = ""  # "default": the main action; "danger": one that cannot be undone


def campaign_buttons(campaign: Campaign) -> list[Button]:
    """The moves its state allows, as the change page's buttons."""
    state = campaign.state
    buttons = []
    if state == CampaignState.DRAFT:
        buttons.append(Button("schedule", "Schedule", "default"))
    if state in SENDABLE_NOW:
        buttons.append(Button("send_now", "Send now"))
    if state == CampaignState.PAUSED:
        buttons.append(Button("schedule", "Resume", "default"))
    if state in NEXT["pause"][0]:
        buttons.append(Button("pause", "Pause"))
    if state in NEXT["cancel"][0]:
        buttons.append(Button("cancel", "Cancel campaign", "danger"))
    return buttons


MOVES: dict[str, Callable[[int], Campaign]] = {
    "schedule": lambda pk: campaign_transition(campaign_id=pk, action="schedule"),
    "send_now": lambda pk: campaign_send_now(campaign_id=pk),
    "pause": lambda pk: campaign_transition(campaign_id=pk, action="pause"),
    "cancel": lambda pk: campaign_transition(campaign_id=pk, action="cancel"),
}


@admin.register(Campaign)
class CampaignAdmin(RefusalAsMessage, admin.ModelAdmin[Campaign]):
    form = CampaignForm
    inlines = (VariantInline,)
    change_form_template = "admin/campaigns/campaign/change_form.html"
    list_display = ("name", "state", "segment", "when", "sent_count", "updated_at")
    list_filter = ("state",)
    search_fields = ("name",)
    readonly_fields = ("state", "waiting_for", "results")
    actions = ("schedule", "pause", "cancel")

    def has_delete_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        """A campaign that started sending keeps its runs and sends: its results."""
        return super().has_delete_permission(request, obj) and not _started(obj)

    def get_fieldsets(self, request: HttpRequest, obj: Campaign | None = None) -> Any:
        main: tuple[str, ...] = ("name", "state", "segment", "send_at", "repeat", "emails_per_second",
                                 "winner_metric")  # fmt: skip
        if obj is not None and obj.waiting_for:
            main = ("name", "state", "waiting_for", *main[2:])
        sets: list[Any] = [(None, {"fields": main})]
        if obj is not None:
            sets.append(("Results", {"fields": ("results",)}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Campaign | None = None) -> Any:
        """Who it goes to is fixed once it started sending (``campaign_save`` refuses too)."""
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "segment") if _started(obj) else fields

    def get_urls(self) -> list[URLPattern]:
        move = path("<int:campaign_id>/move/<str:move>/", self.admin_site.admin_view(self.move_view),
                    name="campaigns_campaign_move")  # fmt: skip
        return [move, *super().get_urls()]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        campaign = kwargs.get("obj")
        if campaign is not None:
            context.update(campaign_buttons=campaign_buttons(campaign), board_note=_board_note(campaign),
                           locked=_started(campaign))  # fmt: skip
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        campaign_save(campaign=obj)
        campaign_recurrence_set(campaign=obj, cron=form.cleaned_data.get("repeat", ""))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        changed = formset.save(commit=False)  # the formset's own lists, for the change message
        campaign_variants_save(campaign_id=form.instance.pk, changed=changed, deleted=formset.deleted_objects)

    def move_view(self, request: HttpRequest, campaign_id: int, move: str) -> HttpResponse:
        """A button of the change page: one lifecycle move, POSTed (a second click changes nothing)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        campaign = self.get_object(request, str(campaign_id))
        if campaign is None or move not in MOVES:
            raise Http404("No such campaign or move.")
        if not self.has_change_permission(request, campaign):
            raise PermissionDenied
        try:
            moved = MOVES[move](campaign.pk)
        except CampaignNotReady as exc:
            self.message_user(request, f"{campaign}: {exc}", messages.ERROR)
        else:
            self.message_user(request, f"{moved}: {_state_note(moved)}", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    @admin.display(description="When")
    def when(self, campaign: Campaign) -> str:
        if campaign.schedule is not None and campaign.schedule.crontab is not None:
            return f"repeats: {campaign.schedule.crontab.human_readable}"
        return date_format(campaign.send_at, "DATETIME_FORMAT") if campaign.send_at else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        """The list's columns in one query, however many campaigns it shows."""
        sent = Count("runs__sends", filter=Q(runs__sends__status=SendStatus.SENT))
        return (
            super().get_queryset(request).select_related("segment", "schedule__crontab").annotate(sent=sent)
        )

    @admin.display(description="Sent", ordering="sent")
    def sent_count(self, campaign: Campaign) -> int:
        return int(campaign.sent)  # type: ignore[attr-defined]

    @admin.display(description="Results per variant")
    def results(self, campaign: Campaign) -> str:
        rows = campaign_results(campaign)
        if not rows:
            return "Nothing sent yet."
        comparison = campaign_comparison(campaign.winner_metric, rows)
        return render_to_string(
            "admin/campaigns/campaign/results.html",
            {"rows": [_result_row(r) for r in rows], "comparison": comparison,
             "columns": RESULT_COLUMNS, "charts": campaign_performance_charts(campaign)},
        )  # fmt: skip

    def _move(self, request: HttpRequest, queryset: QuerySet[Campaign], action: str) -> None:
        for campaign in queryset:
            try:
                moved = campaign_transition(campaign_id=campaign.pk, action=action)
            except CampaignNotReady as exc:
                self.message_user(request, f"{campaign}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{moved}: {_state_note(moved)}", messages.SUCCESS)

    @admin.action(description="Schedule (or resume) the selected campaigns")
    def schedule(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._move(request, queryset, "schedule")

    @admin.action(description="Pause the selected campaigns")
    def pause(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._move(request, queryset, "pause")

    @admin.action(description="Cancel the selected campaigns")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._move(request, queryset, "cancel")


RESULT_COLUMNS = ("Variant", "Template", "Recipients", "Sent", "Skipped / failed", "Held after a complaint",
                  "Delivered", "Opened", "Clicked", "Unsubscribed", "Bounced or complained")  # fmt: skip


def _result_row(result: VariantResult) -> list[str]:
    def counted(count: int) -> str:
        return f"{count} ({result.rate(count):.1%})"

    return [result.label, result.template, str(result.recipients), str(result.sent),
            f"{result.skipped} / {result.failed}", str(result.held_for_complaint), counted(result.delivered),
            counted(result.opened), counted(result.clicked), counted(result.unsubscribed),
            counted(result.bounced + result.complained)]  # fmt: skip


def _state_note(campaign: Campaign) -> str:
    """Where a move left the campaign, as the message after it."""
    if campaign.state == CampaignState.SCHEDULED and campaign.schedule_id is None and campaign.send_at:
        return f"scheduled for {date_format(timezone.localtime(campaign.send_at), 'DATETIME_FORMAT')}."
    return f"{campaign.get_state_display().lower()}."


def _board_note(campaign: Campaign) -> str:
    """Before a send whose template shows vision boards: how many recipients lack one."""
    if campaign.state not in (CampaignState.DRAFT, CampaignState.SCHEDULED, CampaignState.PAUSED):
        return ""
    try:
        outlook = campaign_board_outlook(campaign)
    except SegmentUnavailable as exc:
        return str(exc)
    if outlook is None or not outlook.recipients:
        return ""
    labels = ", ".join(outlook.labels)
    shown = f"Variants {labels} show a vision board." if len(outlook.labels) > 1 else (
        f"Variant {labels} shows a vision board."
    )  # fmt: skip
    if not outlook.missing:
        return f"{shown} All {outlook.recipients} of their recipients have an up-to-date board."
    return (
        f"{shown} {outlook.missing} of {outlook.recipients} recipients have no board yet or an out-of-date "
        "one: they will be drawn before their emails are rendered (an email whose board cannot be drawn "
        "leaves it out)."
    )
