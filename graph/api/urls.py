from django.urls import path

from graph.api import views

urlpatterns = [
    path(
        "customers/<external_id:external_id>/graph", views.CustomerGraphView.as_view(), name="customer-graph"
    ),
    path(
        "customers/<external_id:external_id>/similar",
        views.SimilarCustomersView.as_view(),
        name="customer-similar",
    ),
    path(
        "products/<str:sku>/complements", views.ProductComplementsView.as_view(), name="product-complements"
    ),
]
