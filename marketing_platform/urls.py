from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketing_platform.api.errors import api_not_found
from marketing_platform.api.health import health

api_v1: list[URLPattern | URLResolver] = [
    path("health", health, name="health"),
    path("", include("customers.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(r"^api/", api_not_found),
]
handler500 = "marketing_platform.api.errors.server_error"
