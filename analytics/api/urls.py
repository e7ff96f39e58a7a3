from django.urls import path

from analytics.api import views

urlpatterns = [
    path("analytics/activity", views.ActivityView.as_view(), name="analytics-activity"),
    path(
        "analytics/campaigns/<int:pk>/performance",
        views.CampaignPerformanceView.as_view(),
        name="analytics-campaign-performance",
    ),
    path("analytics/strategies", views.StrategiesView.as_view(), name="analytics-strategies"),
    path("analytics/rfm", views.RfmView.as_view(), name="analytics-rfm"),
    path("analytics/cohorts", views.CohortsView.as_view(), name="analytics-cohorts"),
]
