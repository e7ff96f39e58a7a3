from django.urls import include, path

from campaigns import views

urlpatterns = [
    path("email/unsubscribe/<str:token>", views.unsubscribe, name="email-unsubscribe"),
    path("email/click/<str:token>", views.click, name="email-click"),
    path("webhooks/anymail/", include("anymail.urls")),
]
