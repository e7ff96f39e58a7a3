"""Reads: what an email is personalised with, and who a segment holds."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from campaigns.rendering.email import Personalization, Product
from campaigns.tokens import Click, Recipient, tracked_url, unsubscribe_url
from catalog.models import Product as CatalogProduct
from customers.models import Customer, CustomerInterest
from recommendations.serving import recommendations_for

CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}


def personalization_for(customer: Customer, *, send_id: int | None = None) -> Personalization:
    """The customer's data for a template. Every customer gets some: without history the
    recommendations are the bestsellers of their declared interests, then overall."""
    recommended = recommendations_for(customer.pk, limit=settings.EMAIL_RECOMMENDATIONS)
    catalog = CatalogProduct.objects.in_bulk([item.product_id for item in recommended.items])
    products = []
    for item in recommended.items:
        product = catalog[item.product_id]
        shop_url = settings.SHOP_PRODUCT_URL.format(sku=product.sku)
        products.append(
            Product(
                name=product.name,
                sku=product.sku,
                price=_price(product.price, product.currency),
                url=tracked_url(Click(send_id, product.pk, shop_url)),
                reason=item.reason,
                image_url=settings.SITE_URL + product.image.url if product.image else "",
            )
        )
    interests = list(
        CustomerInterest.objects.current()
        .filter(customer=customer)
        .order_by("-confidence", "interest__name")
        .values_list("interest__name", flat=True)[:6]
    )
    return Personalization(
        customer={
            "first_name": customer.name.split()[0] if customer.name.strip() else "",
            "name": customer.name,
            "email": customer.email or "",
            "country": customer.country,
            "external_id": customer.external_id,
        },
        recommendations=products,
        interests=interests,
        unsubscribe_url=unsubscribe_url(Recipient(customer.pk, send_id)),
        company={"name": settings.COMPANY_NAME, "address": settings.COMPANY_POSTAL_ADDRESS},
        shop_url=tracked_url(Click(send_id, None, settings.SHOP_URL)),
        recommendation_mode=recommended.mode,
    )


def _price(amount: Decimal, currency: str) -> str:
    sign = CURRENCY_SIGNS.get(currency)
    value = f"{amount.quantize(Decimal('0.01')):,}"
    return f"{sign}{value}" if sign else f"{value} {currency}"
