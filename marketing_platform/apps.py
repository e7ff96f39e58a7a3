from django.apps import AppConfig


class MarketingPlatformConfig(AppConfig):
    name = "marketing_platform"
    verbose_name = "API access"
