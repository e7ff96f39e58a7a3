"""What a customer's own app needs for its preference centre: declared interests read and
replaced (history kept, recommendations changed at once), consent withdrawn through the
customer's PATCH (the unsubscribe recorded), and another customer's never reachable."""

from __future__ import annotations

from typing import Any

from customers.models import Customer, CustomerInterest, InterestSource
from marketing_platform.api.scopes import Scope
from tests.factories import World
from tests.support import key_client


def _url(customer: Customer) -> str:
    return f"/api/v1/customers/{customer.external_id}/interests/declared"


def _declared(customer: Customer) -> Any:
    return CustomerInterest.objects.filter(customer=customer, source=InterestSource.DECLARED)


def test_declared_interests_are_replaced_and_the_earlier_ones_kept_as_history(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.clients["customer"]
    topics = client.get("/api/v1/interest-topics").json()["results"]
    keys = [value["key"] for topic in topics for value in topic["interests"]][:2]
    etag = client.get(f"/api/v1/customers/{world.ada.external_id}/recommendations")["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        first = client.put(_url(world.ada), {"interests": keys}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        again = client.put(_url(world.ada), {"interests": keys}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        narrowed = client.put(_url(world.ada), {"interests": keys[1:]}, format="json")

    assert {row["interest"] for row in first.json()["interests"]} == set(keys)
    assert {row["interest"] for row in again.json()["interests"]} == set(keys)
    assert [row["interest"] for row in narrowed.json()["interests"]] == keys[1:]
    assert [row["interest"] for row in client.get(_url(world.ada)).json()["interests"]] == keys[1:]
    assert _declared(world.ada).count() == 2, "the same list again wrote nothing"
    assert _declared(world.ada).filter(valid_to__isnull=False).count() == 1
    later = client.get(f"/api/v1/customers/{world.ada.external_id}/recommendations", HTTP_IF_NONE_MATCH=etag)
    assert later.status_code == 200
    assert later["ETag"] != etag


def test_unknown_and_repeated_interests_are_refused_and_nothing_changes(world: World) -> None:
    client = world.clients["customer"]

    known = client.get("/api/v1/interest-topics").json()["results"][0]["interests"][0]["key"]

    response = client.put(_url(world.ada), {"interests": ["no/such", known, known]}, format="json")

    assert response.status_code == 400
    errors = [(e["field"], e["code"]) for e in response.json()["details"]["errors"]]
    assert errors == [("interests.0", "unknown_interest"), ("interests.2", "duplicate")]
    assert not _declared(world.ada).exists()


def test_another_customers_declared_interests_are_not_found(world: World) -> None:
    client = world.clients["customer"]

    assert client.get(_url(world.bob)).status_code == 404
    assert client.put(_url(world.bob), {"interests": []}, format="json").status_code == 404
    assert (
        key_client(Scope.CUSTOMERS_READ).put(_url(world.ada), {"interests": []}, format="json").status_code
        == 403
    )


def test_withdrawing_consent_through_the_customers_patch_records_the_unsubscribe(world: World) -> None:
    Customer.objects.filter(pk=world.ada.pk).update(marketing_consent=True)
    client = world.clients["customer"]

    withdrawn = client.patch(
        f"/api/v1/customers/{world.ada.external_id}", {"marketing_consent": False}, format="json"
    )
    given_again = client.patch(
        f"/api/v1/customers/{world.ada.external_id}", {"marketing_consent": True}, format="json"
    )

    assert withdrawn.status_code == 200
    assert withdrawn.json()["marketing_consent"] is False
    assert withdrawn.json()["unsubscribed_at"] is not None
    assert given_again.json()["unsubscribed_at"] is None


def test_a_signed_in_customer_learns_which_customer_it_is(world: World) -> None:
    me = world.clients["customer"].get("/api/v1/auth/me").json()
    staff = world.clients["staff"].get("/api/v1/auth/me").json()

    assert me == {"username": "ada", "role": "customer", "customer": "ada-1"}
    assert staff == {"username": "staff", "role": "staff", "customer": None}
