"""The pages links in emails lead to: unsubscribe (and its RFC 8058 one-click POST) and
tracked clicks."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.services.consent import customer_unsubscribe
from campaigns.services.tracking import send_click_record
from campaigns.tokens import read_click, read_unsubscribe
from customers.models import Customer


@csrf_exempt  # a mail client's one-click POST carries no cookie and no CSRF token (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners fetch links, so a GET must change nothing); POST unsubscribes."""
    page = {"company": settings.COMPANY_NAME}
    try:
        recipient = read_unsubscribe(token)
    except signing.BadSignature:
        return render(request, "campaigns/unsubscribe.html", {**page, "invalid": True}, status=404)
    email = Customer.objects.filter(pk=recipient.customer_id).values_list("email", flat=True).first()
    if request.method == "POST":
        customer_unsubscribe(customer_id=recipient.customer_id, send_id=recipient.send_id)
        return render(request, "campaigns/unsubscribe.html", {**page, "done": True, "email": email})
    return render(request, "campaigns/unsubscribe.html", {**page, "email": email})


@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    """Record the click and go on; only URLs we signed redirect, so this is no open redirect."""
    try:
        followed = read_click(token)
    except signing.BadSignature:
        return HttpResponse("This link is broken.", status=404, content_type="text/plain")
    if followed.send_id is not None:
        send_click_record(send_id=followed.send_id, product_id=followed.product_id)
    return HttpResponseRedirect(followed.url)
