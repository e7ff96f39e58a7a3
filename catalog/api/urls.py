from django.urls import path

from catalog.api import views

urlpatterns = [
    path("products", views.ProductList.as_view(), name="product-list"),
    path("products/<str:sku>", views.ProductDetail.as_view(), name="product-detail"),
    path("categories", views.CategoryList.as_view(), name="category-list"),
    path("categories/<slug:slug>", views.CategoryDetail.as_view(), name="category-detail"),
]
