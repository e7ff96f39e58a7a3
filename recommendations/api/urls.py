from django.urls import path

from recommendations.api import views

urlpatterns = [
    path(
        "customers/<external_id:external_id>/recommendations",
        views.CustomerRecommendationsView.as_view(),
        name="customer-recommendations",
    ),
]
