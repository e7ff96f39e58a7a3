"""Create, list and revoke API keys for services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from marketing_platform.api.scopes import Scope
from marketing_platform.api_keys import api_key_create, api_key_revoke
from marketing_platform.models import ApiKey


class Command(BaseCommand):
    help = "Manage API keys: create (the key is printed once), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a key and print it once.")
        create.add_argument("--name", required=True)
        create.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, help="Repeat for several."
        )
        create.add_argument("--expires-in-days", type=int, help="Default: never expires.")
        actions.add_parser("list", help="List keys (never their secrets).")
        revoke = actions.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            days = options["expires_in_days"]
            if days is not None and days <= 0:
                raise CommandError("--expires-in-days must be positive.")
            expires_at = timezone.now() + timedelta(days=days) if days else None
            try:
                key, plaintext = api_key_create(
                    name=options["name"], scopes=options["scope"], expires_at=expires_at
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Created {key}. Its key, shown only now:\n{plaintext}")
        elif action == "list":
            for key in ApiKey.objects.all():
                state = "revoked" if key.revoked_at else ("active" if key.is_active else "expired")
                self.stdout.write(
                    f"{key.prefix}  {state:8}  {key.name}  scopes={','.join(key.scopes)}  "
                    f"expires={key.expires_at or 'never'}  last used={key.last_used_at or 'never'}"
                )
        else:
            key_row = ApiKey.objects.filter(prefix=options["prefix"]).first()
            if key_row is None:
                raise CommandError(f"No API key has the prefix {options['prefix']!r}.")
            revoked = api_key_revoke(key_row)
            self.stdout.write(f"Revoked {key_row}." if revoked else f"{key_row} was already revoked.")
