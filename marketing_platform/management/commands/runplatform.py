"""Web, Celery worker and beat in one process: the embedded runtime of ``make run``.

One process owns everything that must be single-writer on the embedded
default (the SQLite file, the embedded graph). Production runs the three as
separate processes instead (see docker-compose.yml).
"""

from __future__ import annotations

import signal
import socket
import threading
from types import FrameType
from typing import Any, cast

from celery.beat import EmbeddedService
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from waitress.server import create_server

from customers.services.demo_login import DEMO_USERNAME, demo_password_stored
from graph.services.recovery import embedded_graph_ensure
from marketing_platform.celery import Queues
from marketing_platform.celery import app as celery_app
from marketing_platform.startup import freeze_loaded_objects
from marketing_platform.wsgi import application


class Command(BaseCommand):
    help = "Serve the web app with an in-process Celery worker and beat (embedded runtime)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.HOST, help="Default: HOST (127.0.0.1).")
        parser.add_argument("--port", type=int, default=settings.PORT, help="Default: PORT (8000).")
        parser.add_argument("--threads", type=int, default=8, help="Web request threads.")
        parser.add_argument("--concurrency", type=int, default=2, help="Worker threads.")

    def handle(self, *args: Any, **options: Any) -> None:
        rebuilt = embedded_graph_ensure()
        if rebuilt is not None:
            self.stdout.write(
                f"Graph was missing or unreadable: rebuilt from the database ({rebuilt.location})."
            )
        worker = celery_app.WorkController(
            hostname=f"embedded@{socket.gethostname()}",
            pool_cls="threads",
            concurrency=options["concurrency"],
            queues=[queue.value for queue in Queues],
            loglevel="INFO",
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
        )
        beat = cast(
            "threading.Thread",
            EmbeddedService(
                celery_app, thread=True, schedule_filename=settings.CELERY_BEAT_SCHEDULE_FILENAME
            ),
        )
        server = create_server(
            application, host=options["host"], port=options["port"], threads=options["threads"]
        )

        def stop(signum: int, frame: FrameType | None) -> None:
            server.close()
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        threading.Thread(target=worker.start, name="celery-worker", daemon=True).start()
        beat.start()
        base = f"http://{options['host']}:{options['port']}"
        self.stdout.write(
            self.style.SUCCESS("Platform running (web + Celery worker + beat, embedded)\n")
            + f"  Admin:    {base}/admin/\n"
            + f"  App:      {base}/app/ (the customer's own page{_demo_sign_in()})\n"
            + f"  API docs: {base}/api/docs/\n"
            + f"  Health:   {base}/api/v1/health\n"
            + f"  Broker:   {settings.CELERY_BROKER_URL}\n"
            + f"  Database: {settings.DATABASES['default']['ENGINE']}\n"
            + f"  Links:    {settings.SITE_URL} (SITE_URL, in emails)\n"
            + f"  Emails:   {_where_emails_go()}\n"
            + "Stop with Ctrl-C."
        )
        if (options["host"], options["port"]) != (settings.HOST, settings.PORT):
            self.stdout.write(
                self.style.WARNING(
                    f"Emails link to {settings.SITE_URL}, which follows HOST and PORT, not "
                    "--host and --port: set HOST and PORT (or SITE_URL) instead."
                )
            )
        freeze_loaded_objects()
        try:
            server.run()
        finally:
            beat.stop()  # type: ignore[attr-defined]
            worker.stop(in_sighandler=False)


def _where_emails_go() -> str:
    """The demo's customers have example.com/.org addresses: on the file backend their emails
    are files to open."""
    if "filebased" in settings.EMAIL_BACKEND:
        return f"written as files to {settings.EMAIL_FILE_PATH} (nothing leaves this machine)"
    return settings.EMAIL_BACKEND


def _demo_sign_in() -> str:
    """The demo customer's login, as ``load_demo`` kept it, for the banner."""
    password = demo_password_stored()
    return f"; sign in as {DEMO_USERNAME} / {password}" if password else ""
