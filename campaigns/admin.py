"""Where marketing staff work: the template designer with its live preview, segments with
their live count, campaigns with their schedule and results."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path

from campaigns.models import EmailTemplate
from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from campaigns.rendering.email import BLOCKS, VARIABLES, TemplateSource
from campaigns.rendering.sandbox import TemplateProblem
from campaigns.services.emails import email_preview, email_send_test
from customers.models import Customer

PREVIEW_CUSTOMERS = 40


class TemplateForm(forms.ModelForm[EmailTemplate]):
    class Meta:
        model = EmailTemplate
        fields = ("name", "language", "subject", "preheader", "html_body", "text_body")
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
    list_display = ("name", "subject", "language", "updated_at")
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
        if request.method != "POST":
            return JsonResponse({"ok": False, "message": "POST the editor's fields."}, status=405)
        self._check_can_edit(request)
        customer = Customer.objects.filter(external_id=request.POST.get("customer", "")).first()
        if customer is None:
            return JsonResponse({"ok": False, "message": "Pick a customer to preview for."})
        try:
            rendered, data = email_preview(source=_source(request), customer=customer)
        except TemplateProblem as problem:
            return JsonResponse({"ok": False, "message": problem.message, "part": problem.part,
                                 "line": problem.line})  # fmt: skip
        return JsonResponse({
            "ok": True, "subject": rendered.subject, "preheader": rendered.preheader, "html": rendered.html,
            "text": rendered.text, "mode": data.recommendation_mode, "customer": str(customer),
        })  # fmt: skip

    def send_test_view(self, request: HttpRequest) -> HttpResponse:
        """Send the editor's content, rendered for the chosen customer, to a staff address."""
        if request.method != "POST":
            return JsonResponse({"ok": False, "message": "POST the editor's fields."}, status=405)
        self._check_can_edit(request)
        to = request.POST.get("to", "").strip().lower()
        staff = {
            e.lower() for e in get_user_model().objects.filter(is_staff=True).values_list("email", flat=True)
        }
        if not to or to not in staff:
            return JsonResponse({"ok": False, "message": "Test emails go only to staff members' addresses."})
        customer = Customer.objects.filter(external_id=request.POST.get("customer", "")).first()
        if customer is None:
            return JsonResponse({"ok": False, "message": "Pick a customer to preview for."})
        try:
            email_send_test(source=_source(request), customer=customer, to=to)
        except TemplateProblem as problem:
            return JsonResponse({"ok": False, "message": str(problem)})
        except OSError as exc:
            return JsonResponse({"ok": False, "message": f"The mail server refused it: {exc}"})
        return JsonResponse({"ok": True, "message": f"Test email sent to {to}."})

    def _check_can_edit(self, request: HttpRequest) -> None:
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied


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
