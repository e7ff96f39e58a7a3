from django.urls import path

from campaigns.api import views

urlpatterns = [
    path(
        "customers/<external_id:external_id>/email", views.CustomerEmailView.as_view(), name="customer-email"
    ),
    path("campaigns", views.CampaignList.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>", views.CampaignDetail.as_view(), name="campaign-detail"),
]
