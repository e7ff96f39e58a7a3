"""Compare the vector store with PostgreSQL; exit 1 when they differ."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from conversations.embedding import EmbeddingsUnavailable
from conversations.services.vectors_recovery import message_vectors_verify
from conversations.vectors.port import VectorStoreUnavailable


class Command(BaseCommand):
    help = "Message ids and counts in the vector store against PostgreSQL; exit code 1 on a difference."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = message_vectors_verify()
        except (EmbeddingsUnavailable, VectorStoreUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{report.store} ({report.model}): {report.messages:,} messages, {report.vectors:,} vectors; "
            f"{report.pending:,} waiting to be embedded by this model."
        )
        self.stdout.write(f"  messages without a vector: {_examples(report.missing)}")
        self.stdout.write(f"  vectors without a message: {_examples(report.extra)}")
        if report.drifted:
            raise CommandError(
                "The vector store differs from PostgreSQL; `manage.py vectors_rebuild` mends it."
            )
        self.stdout.write("The vector store matches PostgreSQL.")


def _examples(ids: list[int]) -> str:
    if not ids:
        return "0"
    shown = ", ".join(str(pk) for pk in ids[:5])
    return f"{len(ids):,} (ids {shown}{', …' if len(ids) > 5 else ''})"
