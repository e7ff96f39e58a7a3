from django.urls import path

from campaigns import views, webhooks

urlpatterns = [
    path("email/unsubscribe/<str:token>", views.unsubscribe, name="email-unsubscribe"),
    path("email/click/<str:token>", views.click, name="email-click"),
    path("webhooks/anymail/<str:esp>/tracking/", webhooks.esp_tracking_webhook, name="esp-tracking-webhook"),
]
