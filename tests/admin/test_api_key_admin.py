from __future__ import annotations

import hashlib

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from marketing_platform.models import ApiKey

pytestmark = pytest.mark.django_db


def test_a_key_created_in_the_admin_is_shown_once_and_stored_hashed(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/marketing_platform/apikey/add/", {"name": "shop-eu", "scopes": ["ingest", "catalog:read"]}
    )

    assert response.status_code == 302
    key = ApiKey.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request) if "shown only this once" in str(m)]
    assert len(shown) == 1
    plaintext = shown[0].rsplit(" ", 1)[1]
    assert plaintext.startswith(f"{key.prefix}.")
    assert key.secret_hash == hashlib.sha256(plaintext.split(".", 1)[1].encode()).hexdigest()
    assert key.scopes == ["catalog:read", "ingest"]
    # the page after creation shows it; no page shows it again
    assert plaintext in admin_client.get(response["Location"]).content.decode()
    assert plaintext not in admin_client.get(response["Location"]).content.decode()
    assert (
        plaintext
        not in admin_client.get(f"/admin/marketing_platform/apikey/{key.pk}/change/").content.decode()
    )


def test_an_expiry_in_the_past_is_refused_with_a_message(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/marketing_platform/apikey/add/",
        {"name": "old", "scopes": ["ingest"], "expires_at_0": "2001-01-01", "expires_at_1": "00:00:00"},
    )

    assert response.status_code == 200
    assert "The expiry must be in the future." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_revoking_from_the_list(admin_client: Client) -> None:
    admin_client.post("/admin/marketing_platform/apikey/add/", {"name": "shop", "scopes": ["ingest"]})
    key = ApiKey.objects.get()

    admin_client.post("/admin/marketing_platform/apikey/", {"action": "revoke", "_selected_action": [key.pk]})

    key.refresh_from_db()
    assert key.revoked_at is not None
