"""Create the first admin login once and print it (for ``make run``)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create a superuser with a random password if none exists; print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        credentials = settings.VAR_DIR / "admin-login.txt"
        user_model = get_user_model()
        if not user_model.objects.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser(username=username, email="", password=password)
            credentials.write_text(f"{username}\n{password}\n")
            credentials.chmod(0o600)
        if credentials.exists():
            stored_user, password = credentials.read_text().split()
            self.stdout.write(self.style.SUCCESS(f"Admin login: {stored_user} / {password}"))
        else:
            self.stdout.write(f"Admin login: {username} (password set earlier, not stored here)")
