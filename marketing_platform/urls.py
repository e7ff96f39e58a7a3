from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView

from marketing_platform.api import tokens
from marketing_platform.api.cache_management import CacheInvalidateView, CacheView
from marketing_platform.api.docs import RedocView, SchemaView, same_origin_only
from marketing_platform.api.errors import api_not_found
from marketing_platform.api.health import health
from marketing_platform.api.metrics_view import MetricsView
from marketing_platform.customer_app import customer_app
from marketing_platform.media import serve_media

api_v1: list[URLPattern | URLResolver] = [
    path("health", health, name="health"),
    path("metrics", MetricsView.as_view(), name="metrics"),
    path("cache", CacheView.as_view(), name="cache"),
    path("cache/invalidate", CacheInvalidateView.as_view(), name="cache-invalidate"),
    path("auth/token", tokens.TokenObtainView.as_view(), name="token-obtain"),
    path("auth/token/refresh", tokens.TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/token/revoke", tokens.TokenRevokeView.as_view(), name="token-revoke"),
    path("", include("customers.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("graph.api.urls")),
    path("", include("recommendations.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("conversations.api.urls")),
    path("", include("visionboards.api.urls")),
    path("", include("analytics.api.urls")),
]


urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("campaigns.urls")),
    path("", include("conversations.urls")),
    path("", include("catalog.urls")),
    path("api/v1/", include(api_v1)),
    path("metrics", MetricsView.as_view(), name="metrics-root"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", same_origin_only(SpectacularSwaggerView.as_view(url_name="schema")), name="swagger-ui"),
    path("api/redoc/", same_origin_only(RedocView.as_view(url_name="schema")), name="redoc"),
    re_path(r"^api/", api_not_found),
    re_path(r"^app/(?P<path>.*)$", customer_app, name="customer-app"),
    # always here, even behind a web server: only the platform can check a board's signed link
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve_media),
]
handler500 = "marketing_platform.api.errors.server_error"
