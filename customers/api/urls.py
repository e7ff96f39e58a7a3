from django.urls import path, register_converter

from customers.api import resources
from customers.api.declared_interests import DeclaredInterestsView
from customers.api.export import CustomerExportView
from customers.api.feedback import CustomerFeedbackDetailView, CustomerFeedbackView
from customers.api.me import MeView
from customers.api.views import CustomerDataIngestView


class ExternalIdConverter:
    """A customer's external id as frontends and imports use it; checked by the views."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExternalIdConverter, "external_id")

urlpatterns = [
    path("auth/me", MeView.as_view(), name="me"),
    path("customers", resources.CustomerList.as_view(), name="customer-list"),
    path("customers/<external_id:external_id>", resources.CustomerDetail.as_view(), name="customer-detail"),
    path(
        "customers/<external_id:external_id>/data",
        CustomerDataIngestView.as_view(),
        name="customer-data-ingest",
    ),
    path(
        "customers/<external_id:external_id>/feedback",
        CustomerFeedbackView.as_view(),
        name="customer-feedback",
    ),
    path(
        "customers/<external_id:external_id>/feedback/<str:sku>",
        CustomerFeedbackDetailView.as_view(),
        name="customer-feedback-detail",
    ),
    path(
        "customers/<external_id:external_id>/interests/declared",
        DeclaredInterestsView.as_view(),
        name="customer-declared-interests",
    ),
    path("customers/<external_id:external_id>/export", CustomerExportView.as_view(), name="customer-export"),
    path("purchases", resources.PurchaseList.as_view(), name="purchase-list"),
    path("purchases/<int:pk>", resources.PurchaseDetail.as_view(), name="purchase-detail"),
    path("interests", resources.InterestList.as_view(), name="interest-list"),
    path("interests/<int:pk>", resources.InterestDetail.as_view(), name="interest-detail"),
    path("interest-topics", resources.InterestTopicList.as_view(), name="interest-topic-list"),
]
