from django.urls import path

from conversations.api import views

urlpatterns = [
    path(
        "customers/<external_id:external_id>/messages",
        views.CustomerMessages.as_view(),
        name="customer-messages",
    ),
    path("messages/search", views.MessagesSearch.as_view(), name="messages-search"),
    path("messages/<int:pk>", views.MessageDetail.as_view(), name="message-detail"),
]
