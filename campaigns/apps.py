from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from campaigns import signals, webhooks  # noqa: F401 - the ESP tracking receiver and its check
        from campaigns.api.export import register as register_export

        register_export()
