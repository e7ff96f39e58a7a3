from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from conversations import signals  # noqa: F401 - inbound mail, vectors and intents' receivers
        from conversations.services.interests import message_interests
        from customers.models import InterestSource
        from customers.services.interests import interest_inference_register

        interest_inference_register(InterestSource.MESSAGES, message_interests)
        from conversations.api.export import register as register_export

        register_export()
