from django.urls import path

from campaigns.api import views

urlpatterns = [
    path(
        "customers/<external_id:external_id>/email", views.CustomerEmailView.as_view(), name="customer-email"
    ),
]
