from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from analytics import signals
        from analytics.api.export import register as register_export
        from analytics.impressions import on_recommendations_shown
        from recommendations.signals import recommendations_shown

        signals.connect()
        recommendations_shown.connect(on_recommendations_shown, dispatch_uid="analytics-impressions")
        register_export()
