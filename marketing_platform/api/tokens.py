"""JWT endpoints for people: obtain, refresh (rotating, old refresh blacklisted), revoke."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import exceptions
from rest_framework_simplejwt import serializers, views
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from marketing_platform.api.authentication import check_not_revoked
from marketing_platform.api.throttling import AccountRateThrottle, PrincipalRateThrottle


class PlatformTokenRefreshSerializer(serializers.TokenRefreshSerializer):
    """simplejwt's refresh, refusing (401, not 500) the tokens of deleted users and old passwords."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = RefreshToken(attrs["refresh"])
        user = (
            get_user_model()
            .objects.filter(**{api_settings.USER_ID_FIELD: refresh.payload.get(api_settings.USER_ID_CLAIM)})
            .first()
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                "The token's user is gone or inactive.", code="user_inactive"
            )
        check_not_revoked(refresh, user)
        validated: dict[str, str] = super().validate(attrs)
        return validated


class TokenObtainView(views.TokenObtainPairView):
    """Exchange a username and password for an access token (minutes) and a refresh token (days)."""

    rate_limit = "token"
    throttle_classes = [PrincipalRateThrottle, AccountRateThrottle]


class TokenRefreshView(views.TokenRefreshView):
    """A new access token and a new refresh token; the one sent is blacklisted."""

    rate_limit = "token"
    serializer_class = PlatformTokenRefreshSerializer


class TokenRevokeView(views.TokenBlacklistView):
    """Log out: blacklist a refresh token."""

    rate_limit = "token"
