"""Make the imported demo emailable and give staff something to start from (for ``make run``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.services.starter import starter_content_create_missing
from conversations.services.demo_messages import demo_messages_attach
from conversations.services.intents import intents_load_starter
from customers.management.import_files import file_refusals, import_file
from customers.models import Customer
from customers.services.customers import demo_identities_give
from customers.services.demo_login import (
    DemoLogin,
    demo_login_give,
    demo_password_store,
    demo_password_stored,
)
from customers.services.retail_import import online_retail_customers

DEMO_SAMPLE = Path(settings.BASE_DIR) / "demo" / "online_retail_sample.csv"


class Command(BaseCommand):
    help = (
        "After import_online_retail of the demo file: give its customers fictional names, "
        "example.com/.org addresses and marketing consent (never one who has a name, an address or "
        "unsubscribed), give them a few sample customer-support messages (simulated), give the busiest "
        "one a login for the customer app (user `customer`, password printed), and create the "
        "starter templates, segments, draft A/B campaign and message intents that are missing. Safe "
        "to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEMO_SAMPLE)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:  # consent given on a real person's behalf: never where mail goes out
            raise CommandError("load_demo gives customers marketing consent: it does not run in production.")
        path, _ = import_file(options["path"])
        with file_refusals(path):
            external_ids = online_retail_customers(path)
        given = demo_identities_give(external_ids=external_ids)
        customer_ids = list(
            Customer.objects.filter(external_id__in=external_ids).values_list("pk", flat=True)
        )
        intents = intents_load_starter()
        messages = demo_messages_attach(customer_ids)
        starter = starter_content_create_missing()
        self.stdout.write(
            f"Demo customers: {given} of {len(external_ids)} given a fictional name, an example.com/.org "
            "address and marketing consent (the others had them already, or data of their own)."
        )
        self.stdout.write(
            f"Demo messages: {messages.created} new of {messages.created + messages.unchanged} "
            "(generated customer-support texts from Bitext, given to demo customers by a fixed rule: "
            "not their words)."
        )
        self.stdout.write(
            f"Starter content: {starter.created} created; templates "
            + ", ".join(f"“{template.name}”" for template in starter.templates)
            + "; segments "
            + ", ".join(f"“{segment.name}”" for segment in starter.segments)
            + f"; draft campaign “{starter.campaign.name}”."
        )
        self.stdout.write(f"Starter intents: {intents.intents} intents, {intents.examples} examples created.")
        self._print_login(demo_login_give(external_ids=external_ids))

    def _print_login(self, login: DemoLogin | None) -> None:
        """The demo customer's login for the app; its password kept beside the admin's (VAR_DIR)."""
        if login is None:
            self.stdout.write(
                "Customer app login: none given (every demo customer has a login, or the username "
                "`customer` belongs to an account that is not a customer's)."
            )
            return
        demo_password_store(login)
        password = demo_password_stored() or "(set earlier, not stored here)"
        self.stdout.write(
            self.style.SUCCESS(f"Customer app login: {login.username} / {password}")
            + f" (demo customer {login.customer}, at /app/)"
        )
