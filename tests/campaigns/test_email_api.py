"""POST /api/v1/customers/{id}/email, and the unsubscribe and click links the email carries."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from campaigns.models import EmailTemplate
from customers.models import Customer, CustomerInterest, InteractionEvent, Interest, InterestSource
from marketing_platform.api.scopes import Scope
from tests.factories import Store
from tests.support import jwt_client, key_client


def test_the_email_of_a_customer_with_history_uses_its_purchases(
    trained: Store, staff_client: APIClient
) -> None:
    response = staff_client.post(f"/api/v1/customers/{trained.customer.external_id}/email", {}, format="json")

    assert response.status_code == 200
    body = response.json()
    data = body["personalization"]
    assert body["template"] is None
    assert data["recommendation_mode"] == "blended"
    assert len(data["recommendations"]) == 6
    assert all(product["reason"] for product in data["recommendations"])
    for product in data["recommendations"][:4]:  # the default template shows four
        assert product["url"] in body["html"]
        assert product["url"] in body["text"]
    assert data["unsubscribe_url"] in body["html"]
    assert body["subject"]


def test_a_new_customer_gets_the_bestsellers_of_its_declared_interest(
    store: Store, staff_client: APIClient
) -> None:
    newcomer = Customer.objects.create(external_id="fresh-1", name="Iris Vane", country="France")
    interest = Interest.objects.filter(product_category__products__purchases__isnull=False).distinct().first()
    assert interest is not None
    CustomerInterest.objects.create(customer=newcomer, interest=interest, source=InterestSource.DECLARED,
                                    confidence=1.0)  # fmt: skip

    body = staff_client.post("/api/v1/customers/fresh-1/email", {}, format="json").json()

    assert body["personalization"]["recommendation_mode"] == "new_customer"
    reasons = [p["reason"] for p in body["personalization"]["recommendations"]]
    assert reasons[0] == f"Popular with customers who love {interest.name}"
    assert body["subject"].startswith("Iris, ")


def test_a_template_that_does_not_render_is_a_422_naming_the_line(
    store: Store, staff_client: APIClient
) -> None:
    template = EmailTemplate.objects.create(
        name="broken", subject="Hi", html_body="<p>ok</p>\n{{ customer.nmae }}"
    )

    response = staff_client.post(
        f"/api/v1/customers/{store.customer.external_id}/email", {"template": template.pk}, format="json"
    )

    assert response.status_code == 422
    error = response.json()
    assert error["error_code"] == "template_error"
    assert error["details"] == {"part": "body", "line": 2}
    assert "nmae" in error["message"]


@pytest.mark.parametrize(
    ("html_body", "message"),
    [
        ("{{ (('x' * 100000)|replace('x', 'y' * 10000))|length }}", "values larger than 100,000"),
        ("{% for a in 'x' * 100000 %}{% for b in 'x' * 10000 %}{% endfor %}{% endfor %}", "took too long"),
    ],
    ids=["amplification", "nested loops"],
)
def test_a_template_that_would_run_away_is_a_422(
    store: Store, staff_client: APIClient, settings: Any, html_body: str, message: str
) -> None:
    settings.EMAIL_RENDER_SECONDS = 0.2
    template = EmailTemplate.objects.create(name="runaway", subject="Hi", html_body=html_body)

    response = staff_client.post(
        f"/api/v1/customers/{store.customer.external_id}/email", {"template": template.pk}, format="json"
    )

    assert response.status_code == 422
    assert response.json()["error_code"] == "template_error"
    assert message in response.json()["message"]


def test_an_unknown_template_is_not_found(store: Store, staff_client: APIClient) -> None:
    response = staff_client.post(
        f"/api/v1/customers/{store.customer.external_id}/email", {"template": 999}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error_code"] == "not_found"


def test_customers_and_api_keys_render_only_customer_facing_templates(
    store: Store, staff_client: APIClient
) -> None:
    # given a customer with a login, an API key that may render emails, a published template and a draft
    customer = store.customer
    customer.user = get_user_model().objects.create_user("shopper", password="a-long-test-password-1")
    customer.save(update_fields=["user"])
    published = EmailTemplate.objects.create(
        name="welcome", subject="Welcome", html_body="<p>Hi</p>", customer_facing=True
    )
    draft = EmailTemplate.objects.create(name="draft", subject="Internal", html_body="<p>Internal</p>")
    url = f"/api/v1/customers/{customer.external_id}/email"

    for client in (jwt_client(customer.user), key_client(Scope.EMAILS_RENDER)):
        # when each asks for each template, then
        rendered = client.post(url, {"template": published.pk}, format="json")
        assert rendered.status_code == 200
        assert rendered.json()["subject"] == "Welcome"
        refusals = [client.post(url, {"template": pk}, format="json") for pk in (draft.pk, draft.pk + 1000)]
        assert [r.status_code for r in refusals] == [404, 404]
        bodies = [{k: r.json()[k] for k in ("error_code", "message", "details")} for r in refusals]
        assert bodies[0] == bodies[1] == {
            "error_code": "not_found", "message": "No such email template.", "details": {}
        }  # fmt: skip
    # staff render drafts too
    assert staff_client.post(url, {"template": draft.pk}, format="json").json()["subject"] == "Internal"


def _link(html: str, pattern: str) -> str:
    found = re.search(rf'href="(https?://[^"]*{pattern}[^"]*)"', html)
    assert found, f"no {pattern} link"
    return urlsplit(found.group(1)).path


def test_unsubscribe_asks_on_get_and_unsubscribes_on_the_one_click_post(
    store: Store, staff_client: APIClient
) -> None:
    customer = store.customer
    Customer.objects.filter(pk=customer.pk).update(marketing_consent=True)
    html = staff_client.post(f"/api/v1/customers/{customer.external_id}/email", {}, format="json").json()[
        "html"
    ]
    path = _link(html, "/email/unsubscribe/")
    browser = Client(enforce_csrf_checks=True)

    asked = browser.get(path)
    customer.refresh_from_db()
    assert asked.status_code == 200
    assert b"Unsubscribe?" in asked.content
    assert customer.unsubscribed_at is None  # a link scanner's GET changes nothing

    for _ in range(2):  # RFC 8058: a POST without cookies or CSRF token; a second is harmless
        done = browser.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert done.status_code == 200
        assert b"You are unsubscribed" in done.content
    customer.refresh_from_db()
    assert customer.unsubscribed_at is not None
    assert customer.marketing_consent is False

    assert browser.post(path[:-3] + "xyz/").status_code == 404


def test_a_tracked_link_redirects_to_the_product_and_only_signed_links_do(
    store: Store, staff_client: APIClient
) -> None:
    html = staff_client.post(
        f"/api/v1/customers/{store.customer.external_id}/email", {}, format="json"
    ).json()["html"]
    path = _link(html, "/email/click/")

    followed = Client().get(path)

    assert followed.status_code == 302
    assert "/products/" in followed["Location"]
    assert not InteractionEvent.objects.filter(source="email").exists()  # a preview: no send to record
    assert Client().get(path.replace("/email/click/", "/email/click/x")).status_code == 404
