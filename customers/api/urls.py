from django.urls import path, register_converter

from customers.api.views import CustomerDataIngestView


class ExternalIdConverter:
    """A customer's external id as frontends and imports use it."""

    regex = r"[^/]+"  # checked by the view, so a malformed id answers 400, not 404

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExternalIdConverter, "external_id")

urlpatterns = [
    path(
        "customers/<external_id:external_id>/data",
        CustomerDataIngestView.as_view(),
        name="customer-data-ingest",
    ),
]
