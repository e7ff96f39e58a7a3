from django.urls import path

from conversations.api import intents, views

urlpatterns = [
    path(
        "customers/<external_id:external_id>/messages",
        views.CustomerMessages.as_view(),
        name="customer-messages",
    ),
    path("messages/search", views.MessagesSearch.as_view(), name="messages-search"),
    path("messages/<int:pk>", views.MessageDetail.as_view(), name="message-detail"),
    path("messages/<int:pk>/intent", intents.MessageIntent.as_view(), name="message-intent"),
    path("intents", intents.IntentList.as_view(), name="intent-list"),
    path("intents/<slug:slug>", intents.IntentDetail.as_view(), name="intent-detail"),
]
