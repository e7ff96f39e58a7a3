from django.urls import path

from recommendations.api import model_versions, views

urlpatterns = [
    path(
        "customers/<external_id:external_id>/recommendations",
        views.CustomerRecommendationsView.as_view(),
        name="customer-recommendations",
    ),
    path("models", model_versions.ModelVersionList.as_view(), name="model-version-list"),
    path("models/<int:pk>", model_versions.ModelVersionDetail.as_view(), name="model-version-detail"),
]
