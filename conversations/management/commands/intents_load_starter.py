from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from conversations.services.intents import intents_load_starter


class Command(BaseCommand):
    help = (
        "Create the retail starter intents and example messages that are missing (order status, "
        "delivery, returns and refunds, complaints, unsubscribe…). A shop's own intents and examples "
        "are kept; safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = intents_load_starter()
        self.stdout.write(
            f"Starter intents: {loaded.intents} intents and {loaded.examples} examples created; "
            "the classifier trains on the worker."
        )
