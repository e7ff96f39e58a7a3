"""The public page of a product: name, picture, price and category, nothing about anyone."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.selectors import products_list
from marketing_platform.media import media_path


@require_safe
def product_page(request: HttpRequest, sku: str) -> HttpResponse:
    """A product no longer sold keeps its page (emails link to it for weeks) but says so: 410."""
    product = products_list().filter(sku=sku).first()
    page = {"company": settings.COMPANY_NAME, "sku": sku}
    if product is None:
        return render(request, "catalog/product.html", page, status=404)
    picture = media_path(product.image.name) if product.image else product.image_url
    return render(
        request,
        "catalog/product.html",
        {**page, "product": product, "picture": picture},
        status=200 if product.active else 410,
    )
