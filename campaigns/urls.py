from django.urls import path

from campaigns import views

urlpatterns = [
    path("email/unsubscribe/<str:token>", views.unsubscribe, name="email-unsubscribe"),
    path("email/click/<str:token>", views.click, name="email-click"),
]
