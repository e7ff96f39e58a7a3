from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path

from customers.models import Customer
from marketing_platform.urls import urlpatterns as platform_urlpatterns

FIELDS = ("external_id", "email", "name", "country", "profile", "marketing_consent", "unsubscribed_at",
          "created_at", "updated_at")  # fmt: skip


def bare_customer(request: HttpRequest, external_id: str) -> JsonResponse:
    """The same customer JSON by hand: no authentication, no rate limit, no serializer."""
    row = Customer.objects.filter(external_id=external_id).values(*FIELDS).first()
    if row is None:
        raise Http404
    return JsonResponse(row)


urlpatterns = [path("bench/bare/<str:external_id>", bare_customer), *platform_urlpatterns]
