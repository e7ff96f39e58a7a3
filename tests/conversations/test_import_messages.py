"""``manage.py import_messages``: any CSV of messages by naming its columns; safe to run again."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conversations.models import Message
from tests.conversations.conftest import People
from tests.support import reject_reasons

HEADER = ["ticket", "client", "body", "when", "lang"]
LINES = [
    ["t1", "ada-1", "Where is my order?", "2026-11-01T10:00:00", "en"],
    ["t2", "bob-2", "Wo ist meine Bestellung?", "1793527200", "de"],
    ["t3", "ada-1", "Can I return the lamp?", "2026-11-02T10:00:00Z", ""],
    ["t4", "nobody-9", "Hello", "2026-11-02T10:00:00Z", "en"],
    ["t5", "", "Hello", "2026-11-02T10:00:00Z", "en"],
    ["t6", "ada-1", "Hello", "yesterday", "en"],
    ["t7", "ada-1", "  ", "2026-11-02T10:00:00Z", "en"],
    ["t8", "ada-1", "Hello", "2999-01-01T00:00:00Z", "en"],
    ["t9", "ada-1", "Hello", "2026-11-02T10:00:00Z", "elvish"],
    ["t 10", "ada-1", "Hello", "2026-11-02T10:00:00Z", "en"],
]


def write(tmp_path: Path, lines: list[list[str]]) -> Path:
    path = tmp_path / "support-tickets.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(lines)
    return path


def run_import(path: Path, tmp_path: Path, *extra: str) -> dict[str, object]:
    report = tmp_path / "report.json"
    call_command(
        "import_messages", str(path), "--customer-column", "client", "--text-column", "body",
        "--time-column", "when", "--language-column", "lang", "--channel", "email",
        "--rejects", str(tmp_path / "rejects.csv"), "--report", str(report), *extra, stdout=StringIO(),
    )  # fmt: skip
    summary: dict[str, object] = json.loads(report.read_text())
    return summary


def test_lines_are_stored_or_rejected_with_their_reasons(tmp_path: Path, people: People) -> None:
    summary = run_import(write(tmp_path, LINES), tmp_path, "--id-column", "ticket")

    assert summary["read"] == 10
    assert summary["stored"] == 3
    assert reject_reasons(tmp_path / "rejects.csv") == {
        "5": "customer:unknown_customer",
        "6": "customer:missing",
        "7": "sent_at:invalid",
        "8": "text:blank",
        "9": "sent_at:time_in_future",
        "10": "language:invalid_language",
        "11": "id:invalid_identifier",
    }
    stored = Message.objects.get(message_id="t2")
    assert (stored.customer, stored.source, stored.channel, stored.language) == (
        people.bob, "csv-support-tickets", "email", "de"
    )  # fmt: skip
    assert stored.sent_at.isoformat() == "2026-11-01T10:00:00+00:00"


def test_importing_again_stores_nothing_twice_and_a_changed_text_updates_its_message(
    tmp_path: Path, people: People
) -> None:
    path = write(tmp_path, LINES[:3])
    run_import(path, tmp_path, "--id-column", "ticket")

    again = run_import(path, tmp_path, "--id-column", "ticket")
    edited = run_import(
        write(tmp_path, [[*LINES[0][:2], "Where is my parcel?", *LINES[0][3:]], *LINES[1:3]]),
        tmp_path, "--id-column", "ticket",
    )  # fmt: skip

    assert (again["stored"], again["duplicate"], again["updated"]) == (0, 3, 0)
    assert (edited["stored"], edited["duplicate"], edited["updated"]) == (0, 2, 1)
    assert Message.objects.count() == 3
    assert Message.objects.get(message_id="t1").text == "Where is my parcel?"


def test_without_an_id_column_a_line_is_known_by_its_content(tmp_path: Path, people: People) -> None:
    path = write(tmp_path, LINES[:3])

    first = run_import(path, tmp_path)
    again = run_import(path, tmp_path)

    assert (first["stored"], again["stored"], again["duplicate"]) == (3, 0, 3)


def test_a_message_id_of_another_customer_is_rejected_by_the_store(tmp_path: Path, people: People) -> None:
    run_import(write(tmp_path, LINES[:1]), tmp_path, "--id-column", "ticket")
    taken = [["t1", "bob-2", "Hi", "2026-11-01T10:00:00Z", "en"], LINES[1]]

    summary = run_import(write(tmp_path, taken), tmp_path, "--id-column", "ticket")

    assert summary["stored"] == 1
    assert reject_reasons(tmp_path / "rejects.csv") == {"2": "id:key_reused"}


def test_a_missing_column_and_a_bad_source_are_named(tmp_path: Path, people: People) -> None:
    path = write(tmp_path, LINES[:1])

    with pytest.raises(CommandError, match="lacks the column"):
        run_import(path, tmp_path, "--id-column", "message_id")
    with pytest.raises(CommandError, match="lowercase"):
        run_import(path, tmp_path, "--source", "Support Desk")
