"""The public pages where links in emails lead when the shop has none of its own (``SHOP_URL``
unset): the shop front and each product's page. Name, picture, price and category; nothing
about anyone."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.selectors import product_picture, products_list


@require_safe
def product_page(request: HttpRequest, sku: str) -> HttpResponse:
    """A product no longer sold keeps its page (emails link to it for weeks) but says so: 410."""
    product = products_list().filter(sku=sku).first()
    page = {"company": settings.COMPANY_NAME, "sku": sku}
    if product is None:
        return render(request, "catalog/product.html", page, status=404)
    picture = product_picture(product)
    return render(
        request,
        "catalog/product.html",
        {**page, "product": product, "picture": picture},
        status=200 if product.active else 410,
    )


SHOP_FRONT_PAGE = 24


@require_safe
def shop_front(request: HttpRequest) -> HttpResponse:
    """The products on sale, those with a picture first, a page at a time (``?page=``)."""
    products = products_list().filter(active=True).order_by("-image", "name", "pk")
    page = Paginator(products, SHOP_FRONT_PAGE).get_page(request.GET.get("page"))
    shown = [(product, product_picture(product)) for product in page]
    return render(
        request, "catalog/shop_front.html", {"company": settings.COMPANY_NAME, "page": page, "shown": shown}
    )
