"""JWT endpoints for people: obtain, refresh (rotating, old refresh blacklisted), revoke."""

from __future__ import annotations

from rest_framework_simplejwt import views


class TokenObtainView(views.TokenObtainPairView):
    """Exchange a username and password for an access token (minutes) and a refresh token (days)."""

    rate_limit = "token"


class TokenRefreshView(views.TokenRefreshView):
    """A new access token and a new refresh token; the one sent is blacklisted."""

    rate_limit = "token"


class TokenRevokeView(views.TokenBlacklistView):
    """Log out: blacklist a refresh token."""

    rate_limit = "token"
