from django.urls import path

from conversations import webhooks

urlpatterns = [
    path("webhooks/anymail/<str:esp>/inbound/", webhooks.esp_inbound_webhook, name="esp-inbound-webhook"),
]
