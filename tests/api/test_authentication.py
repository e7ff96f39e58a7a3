"""JWT for people, API keys for services, and what each costs per request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from marketing_platform.api.scopes import Scope
from marketing_platform.api_keys import api_key_create, api_key_revoke
from marketing_platform.models import ApiKey
from tests.factories import World
from tests.support import PASSWORD, key_client

ADA = "/api/v1/customers/ada-1"


def _error_code(response: object) -> str:
    return response.json()["error_code"]  # type: ignore[attr-defined]


def test_a_password_buys_short_lived_access_and_a_rotating_refresh(world: World) -> None:
    client = APIClient()

    tokens = client.post(
        "/api/v1/auth/token", {"username": "ada", "password": PASSWORD}, format="json"
    ).json()
    access = AccessToken(tokens["access"])
    assert access["exp"] - access["iat"] == timedelta(minutes=5).total_seconds()

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.get(ADA).status_code == 200

    # when the refresh token is used, it is rotated and the old one blacklisted
    rotated = APIClient().post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != tokens["refresh"]
    replay = APIClient().post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert replay.status_code == 401
    assert _error_code(replay) == "token_not_valid"

    # and logging out blacklists the new one too
    new_refresh = rotated.json()["refresh"]
    assert (
        APIClient().post("/api/v1/auth/token/revoke", {"refresh": new_refresh}, format="json").status_code
        == 200
    )
    after_logout = APIClient().post("/api/v1/auth/token/refresh", {"refresh": new_refresh}, format="json")
    assert after_logout.status_code == 401


def test_a_wrong_password_is_401_in_the_envelope(world: World) -> None:
    response = APIClient().post("/api/v1/auth/token", {"username": "ada", "password": "nope"}, format="json")

    assert response.status_code == 401
    assert _error_code(response) == "no_active_account"


def test_an_expired_access_token_is_refused(world: World) -> None:
    assert world.ada.user is not None
    token = AccessToken.for_user(world.ada.user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.get(ADA)

    assert response.status_code == 401
    assert _error_code(response) == "token_not_valid"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_api_keys_are_stored_hashed_and_shown_once(db: None) -> None:
    key, plaintext = api_key_create(name="shop", scopes=[Scope.INGEST])

    stored = ApiKey.objects.get(pk=key.pk)
    assert plaintext.startswith(f"{stored.prefix}.")
    secret = plaintext.split(".", 1)[1]
    assert secret not in stored.secret_hash
    assert all(secret not in str(value) for value in ApiKey.objects.values().get(pk=key.pk).values())


def test_unknown_scopes_are_refused(db: None) -> None:
    with pytest.raises(ValueError, match="Unknown scope"):
        api_key_create(name="shop", scopes=["everything"])


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (lambda key: ApiKey.objects.filter(pk=key.pk).update(
            created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(seconds=1)),
         "api_key_expired"),
        (api_key_revoke, "api_key_revoked"),
    ],
    ids=["expired", "revoked"],
)  # fmt: skip
def test_expired_and_revoked_keys_are_refused(world: World, spoil: object, code: str) -> None:
    key, plaintext = api_key_create(
        name="shop", scopes=[Scope.CUSTOMERS_READ], expires_at=timezone.now() + timedelta(days=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    assert client.get(ADA).status_code == 200

    spoil(key)  # type: ignore[operator]
    response = client.get(ADA)

    assert response.status_code == 401
    assert _error_code(response) == code


def test_a_forged_secret_is_refused(world: World) -> None:
    _, plaintext = api_key_create(name="shop", scopes=[Scope.CUSTOMERS_READ])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext[:-2]}xx")

    response = client.get(ADA)

    assert response.status_code == 401
    assert _error_code(response) == "invalid_api_key"


def test_a_key_does_only_what_its_scopes_allow(world: World) -> None:
    reader = key_client(Scope.CUSTOMERS_READ)

    assert reader.get(ADA).status_code == 200
    assert reader.patch(ADA, {"name": "x"}, format="json").status_code == 403
    assert reader.post(f"{ADA}/data", {}, format="json").status_code == 403
    assert reader.get("/api/v1/products").status_code == 403


def test_last_use_is_recorded_without_a_write_per_request(world: World) -> None:
    key, plaintext = api_key_create(name="shop", scopes=[Scope.CUSTOMERS_READ])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")

    client.get(ADA)
    first_use = ApiKey.objects.get(pk=key.pk).last_used_at
    with CaptureQueriesContext(connection) as queries:
        client.get(ADA)

    assert first_use is not None
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first_use
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


@pytest.mark.parametrize("role", ["staff", "customer", "service"])
def test_a_hot_read_costs_one_auth_query_and_no_password_hash(world: World, role: str) -> None:
    client = world.clients[role]
    client.get(ADA)  # the key's last use is written on its first request

    with CaptureQueriesContext(connection) as queries:
        response = client.get(ADA)

    assert response.status_code == 200
    # one query authenticates (the user with its customer, or the key), one reads the customer
    assert len(queries.captured_queries) == 2, [q["sql"] for q in queries.captured_queries]


def test_a_customer_signed_in_by_session_is_still_only_itself(world: World) -> None:
    client = APIClient()
    assert world.ada.user is not None
    client.force_login(world.ada.user)

    assert client.get(ADA).json()["external_id"] == "ada-1"
    assert client.get("/api/v1/customers/bob-2").status_code == 404


def test_a_password_change_revokes_earlier_tokens(world: World) -> None:
    tokens = (
        APIClient()
        .post("/api/v1/auth/token", {"username": "ada", "password": PASSWORD}, format="json")
        .json()
    )
    user = world.ada.user
    assert user is not None
    user.set_password("a-new-long-password-2")
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    access = client.get(ADA)
    refresh = APIClient().post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")

    assert (access.status_code, _error_code(access)) == (401, "password_changed")
    assert (refresh.status_code, _error_code(refresh)) == (401, "password_changed")


def test_refreshing_the_token_of_a_deleted_user_is_401(world: World) -> None:
    tokens = (
        APIClient()
        .post("/api/v1/auth/token", {"username": "ada", "password": PASSWORD}, format="json")
        .json()
    )
    assert world.ada.user is not None
    world.ada.user.delete()

    response = APIClient().post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")

    assert (response.status_code, _error_code(response)) == (401, "user_inactive")


@pytest.mark.parametrize(
    "credentials", ["mpk_\x00bcdefg.secret", "mpk_zzzzzzzz.secret", "nodot", ".", "mpk_abcdef01."]
)
def test_malformed_keys_are_401_without_a_query(world: World, credentials: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {credentials}")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(ADA)

    assert (response.status_code, _error_code(response)) == (401, "invalid_api_key")
    assert not [q for q in queries.captured_queries if "apikey" in q["sql"]]


def test_a_customer_may_not_change_its_own_email(world: World) -> None:
    response = world.clients["customer"].patch(ADA, {"email": "bob@example.com"}, format="json")

    assert response.status_code == 400
    assert response.json()["details"]["errors"][0] == {
        "field": "email",
        "code": "read_only",
        "message": "This field is read-only.",
    }
