"""ESP webhooks: routes for the ESP that sends our mail only, served by anymail's views (tracking
here, inbound mail in ``conversations.webhooks``).

Every other ESP's webhook is a 404: an ESP we do not use has no keys to check a request against,
so its view could only fail or accept anyone.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailAPIError, AnymailConfigurationError, AnymailInsecureWebhookWarning
from anymail.webhooks.base import AnymailBasicAuthMixin
from django.conf import settings
from django.core import checks
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)
ANYMAIL_BACKEND = re.compile(r"^anymail\.backends\.(?P<esp>\w+)\.")
EspViews = dict[str, Callable[..., HttpResponse]]


def anymail_views(kind: str) -> EspViews:
    """Anymail's webhook view of each ESP for ``kind`` (tracking, inbound), by ESP name."""
    suffix = f"_{kind}_webhook"
    return {
        pattern.name.removesuffix(suffix): pattern.callback
        for pattern in anymail_urls.urlpatterns
        if pattern.name and pattern.name.endswith(suffix)
    }


TRACKING_VIEWS = anymail_views("tracking")


def sending_esp() -> str | None:
    """The anymail ESP named by ``EMAIL_BACKEND``, if one sends our mail (not SMTP or a local backend)."""
    match = ANYMAIL_BACKEND.match(settings.EMAIL_BACKEND)
    return match["esp"] if match else None


@csrf_exempt
def esp_tracking_webhook(request: HttpRequest, esp: str) -> HttpResponse:
    return sending_esp_webhook(TRACKING_VIEWS, request, esp)


def sending_esp_webhook(views: EspViews, request: HttpRequest, esp: str) -> HttpResponse:
    """Anymail's view (among ``views``) of the sending ESP. A request failing the ESP's checks is
    anymail's 400; one it cannot read as that ESP's event is a 400 too; missing ESP keys are a
    logged 503 (the ESP keeps the events and retries)."""
    view = views.get(esp)
    if view is None or esp != sending_esp():
        raise Http404("No webhook for this ESP: it does not send our mail.")
    try:
        return view(request)
    except AnymailConfigurationError:
        logger.exception("The %s webhook is not configured", esp)
        return HttpResponse("Webhook not configured.", status=503, content_type="text/plain")
    except (AnymailAPIError, ValueError, TypeError, KeyError) as exc:  # not that ESP's event shape
        logger.warning("Refused a %s webhook request: %s: %s", esp, type(exc).__name__, exc)
        return HttpResponseBadRequest("Not an event of this ESP.", content_type="text/plain")


@checks.register(checks.Tags.security)
def check_sending_esp_webhook(**kwargs: object) -> list[checks.CheckMessage]:
    """The sending ESP's webhook view has the keys it needs (anymail reads them per request), and
    does not accept events from anyone: a forged complaint or bounce would suppress a customer."""
    esp = sending_esp()
    view = TRACKING_VIEWS.get(esp or "")
    if view is None:
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AnymailInsecureWebhookWarning)  # said below, as an error
            instance = view.view_class(**view.view_initkwargs)  # type: ignore[attr-defined]
    except AnymailConfigurationError as exc:
        return [checks.Error(f"The {esp} tracking webhook cannot check requests: {exc}", id="campaigns.E001")]
    if (
        isinstance(instance, AnymailBasicAuthMixin)
        and instance.warn_if_no_basic_auth
        and not instance.basic_auth
    ):
        return [
            checks.Error(
                f"The {esp} tracking webhook accepts events from anyone: set ANYMAIL_WEBHOOK_SECRET "
                "(user:password) and give it to the ESP in the webhook's address.",
                id="campaigns.E002",
            )
        ]
    return []
