from django.urls import path

from catalog import views

urlpatterns = [
    # where links in emails lead when the shop has no pages of its own (SHOP_URL unset)
    path("", views.shop_front, name="shop-front"),
    path("products/<path:sku>", views.product_page, name="product-page"),
]
