"""Admin pages of figures over a range of days (conversations' analytics, the analytics page):
the range's form, the page, and the same figures as CSV. A page names its default range, its
template and how it reads its figures; staff who may view the page's model see it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from conversations.analytics import DEFAULT_DAYS, DateRange
from marketing_platform.charts import Figures, charts_csv

MOST_DAYS = 731  # two years of days: a chart of more says little, and the table grows long
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # the days a range may name
OUT_OF_RANGE = "Choose days from 1 Jan 1900 to 31 Dec 2999."


class DateRangeForm(forms.Form):
    """``first`` and ``last`` day, both optional: a missing last day is the default range's, a
    missing first day the one ``DEFAULT_DAYS`` before the last."""

    first = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, default: DateRange, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default = default

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        last = cleaned.get("last") or self.default.last
        if not EARLIEST <= last <= LATEST:  # beyond, a default first day or the range's end overflows
            raise forms.ValidationError(OUT_OF_RANGE)
        first = cleaned.get("first") or max(last - timedelta(days=DEFAULT_DAYS - 1), EARLIEST)
        if first < EARLIEST:
            raise forms.ValidationError(OUT_OF_RANGE)
        if first > last:
            raise forms.ValidationError("The range starts after it ends: choose a first day before the last.")
        days = (last - first).days + 1
        if days > MOST_DAYS:
            raise forms.ValidationError(f"Choose at most {MOST_DAYS} days; this range has {days}.")
        cleaned["range"] = DateRange(first, last)
        return cleaned


def _range_form(model_admin: ModelAdmin[Any], request: HttpRequest, default: DateRange) -> DateRangeForm:
    """The range asked for, checked; the default range's days when none is."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    asked = request.GET or {"first": default.first.isoformat(), "last": default.last.isoformat()}
    return DateRangeForm(asked, default=default)


def range_page(
    model_admin: ModelAdmin[Any],
    request: HttpRequest,
    *,
    default: DateRange,
    title: str,
    template: str,
    csv_url_name: str,
    figures: Callable[[DateRange], Mapping[str, Any]],
) -> TemplateResponse:
    """The page of ``figures(range)`` (its template's context); a bad range said in the form."""
    form = _range_form(model_admin, request, default)
    date_range: DateRange | None = form.cleaned_data["range"] if form.is_valid() else None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "form": form,
        "date_range": date_range,
        "default_range": form.default,
        "csv_url": reverse(f"admin:{csv_url_name}", current_app=model_admin.admin_site.name),
        "query": request.GET.urlencode(),
        **(figures(date_range) if date_range else {}),
    }
    return TemplateResponse(request, template, context, status=200 if date_range else 400)


def range_csv(
    model_admin: ModelAdmin[Any],
    request: HttpRequest,
    *,
    default: DateRange,
    name: str,
    figures: Callable[[DateRange], Iterable[Figures]],
) -> HttpResponse:
    """The figures of the range as ``<name>-<first>-<last>.csv``; a bad range said in plain text."""
    form = _range_form(model_admin, request, default)
    if not form.is_valid():
        problems = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    date_range: DateRange = form.cleaned_data["range"]
    response = HttpResponse(charts_csv(figures(date_range)), content_type="text/csv; charset=utf-8")
    filename = f"{name}-{date_range.first.isoformat()}-{date_range.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
