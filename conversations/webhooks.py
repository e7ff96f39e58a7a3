"""The sending ESP's inbound-mail webhook: customers' emails to us become their messages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from campaigns.webhooks import anymail_views, sending_esp_webhook

INBOUND_VIEWS = anymail_views("inbound")


@csrf_exempt
def esp_inbound_webhook(request: HttpRequest, esp: str) -> HttpResponse:
    return sending_esp_webhook(INBOUND_VIEWS, request, esp)
