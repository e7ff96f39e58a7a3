"""Creating, checking and revoking API keys (services for the ApiKey model)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from marketing_platform.api.scopes import Scope
from marketing_platform.models import ApiKey

PREFIX_LENGTH = 8
PREFIX_FORMAT = re.compile(rf"mpk_[0-9a-f]{{{PREFIX_LENGTH}}}")
# last_used_at is written at most this often per key, so a busy key costs no write per request.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _hash(secret: str) -> str:
    # The secret is 256 random bits: a fast hash is enough, and keeps requests cheap.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(
    *,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
    created_by: Any = None,
) -> tuple[ApiKey, str]:
    """Create a key; return it and its plaintext, which is never stored nor shown again."""
    scope_list = sorted(set(scopes))
    unknown = set(scope_list) - set(Scope.values)
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(sorted(unknown))}. Known: {', '.join(Scope.values)}.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValueError("The expiry must be in the future.")
    prefix = f"mpk_{secrets.token_hex(PREFIX_LENGTH // 2)}"
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=scope_list,
        expires_at=expires_at,
        created_by=created_by if created_by is not None and created_by.pk else None,
    )
    return key, f"{prefix}.{secret}"


def api_key_authenticate(credentials: str) -> ApiKey:
    """The active key the credentials name (one query), or an :class:`ApiKeyError`."""
    prefix, _, secret = credentials.partition(".")
    well_formed = PREFIX_FORMAT.fullmatch(prefix) is not None and bool(secret)
    key = next(iter(ApiKey.objects.raw(_key_by_prefix_sql(), [prefix])), None) if well_formed else None
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        raise ApiKeyError("Invalid API key.", "invalid_api_key")
    now = timezone.now()
    if key.revoked_at is not None:
        raise ApiKeyError("This API key was revoked.", "api_key_revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise ApiKeyError("This API key has expired.", "api_key_expired")
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@cache
def _key_by_prefix_sql() -> str:
    """Written once: every API-key request runs it, and the ORM would compile it every time."""
    quote = connection.ops.quote_name
    prefix = ApiKey._meta.get_field("prefix").column
    return f"SELECT * FROM {quote(ApiKey._meta.db_table)} WHERE {quote(prefix)} = %s"  # noqa: S608 - names from model metadata


def api_key_revoke(key: ApiKey) -> bool:
    """Revoke the key; False if it already was."""
    updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db(fields=["revoked_at"])
    return bool(updated)
