from django.urls import path

from visionboards.api import views

urlpatterns = [
    path(
        "customers/<external_id:external_id>/vision-board",
        views.CustomerVisionBoardView.as_view(),
        name="customer-vision-board",
    ),
]
