"""JWT for people and hashed API keys for services: one query each, no password hashing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from customers.selectors import active_user_with_customer_pk
from marketing_platform.api_keys import ApiKeyError, api_key_authenticate
from marketing_platform.models import ApiKey

API_KEY_HEADER_TYPE = "Api-Key"


class PlatformJWTAuthentication(JWTAuthentication):
    """simplejwt, with the user's customer link fetched in the same query."""

    def get_user(self, validated_token: Token) -> Any:
        try:
            user_id = int(validated_token[jwt_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError) as exc:
            raise exceptions.AuthenticationFailed("The token names no user.", code="token_not_valid") from exc
        user = active_user_with_customer_pk(user_id)
        if user is None:
            raise exceptions.AuthenticationFailed(
                "The token's user is gone or inactive.", code="user_inactive"
            )
        check_not_revoked(validated_token, user)
        return user


def check_not_revoked(token: Token, user: Any) -> None:
    """Tokens carry a hash of the password they were issued under: a new password revokes them."""
    if token.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise exceptions.AuthenticationFailed(
            "The password changed since this token was issued.", code="password_changed"
        )


class ServiceUser:
    """``request.user`` of an API-key request: authenticated, never staff."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    is_anonymous = False
    pk = None

    def __init__(self, key: ApiKey) -> None:
        self.key = key
        self.username = f"service:{key.prefix}"

    def __str__(self) -> str:
        return self.username


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key <prefix>.<secret>``."""

    def authenticate(self, request: Request) -> tuple[ServiceUser, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, credentials = header.partition(" ")
        if scheme != API_KEY_HEADER_TYPE:
            return None
        try:
            key = api_key_authenticate(credentials.strip())
        except ApiKeyError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code=exc.code) from exc
        return ServiceUser(key), key

    def authenticate_header(self, request: Request) -> str:
        return API_KEY_HEADER_TYPE


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "marketing_platform.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix>.<secret>`, from the admin or `manage.py api_keys create`.",
        }


class PlatformJWTScheme(OpenApiAuthenticationExtension):
    target_class = "marketing_platform.api.authentication.PlatformJWTAuthentication"
    name = "JWT"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
