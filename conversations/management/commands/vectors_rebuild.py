"""Give every message a current vector in the vector store, from PostgreSQL; safe to rerun."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from conversations.embedding import EmbeddingsUnavailable
from conversations.services.vectors_recovery import message_vectors_rebuild
from conversations.vectors.port import VectorStoreUnavailable


class Command(BaseCommand):
    help = (
        "Embed the messages that lack a current vector (the store lost them, the model changed, the "
        "workers have not reached them) and drop the vectors of deleted messages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--re-embed", action="store_true", help="Embed every message again.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            self.stdout.write(f"  {done:>10,} / {total:,} messages   {rate:,.0f}/s")

        try:
            counts = message_vectors_rebuild(re_embed=options["re_embed"], progress=progress)
        except (EmbeddingsUnavailable, VectorStoreUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Embedded {counts.embedded:,} messages, {counts.skipped:,} already current, "
            f"removed {counts.deleted:,} vectors of deleted messages "
            f"in {time.perf_counter() - started:.1f} s."
        )
