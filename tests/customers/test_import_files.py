"""Files the import commands refuse whole: nothing of them is stored, and the error says why."""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product
from customers.models import Customer, InteractionEvent, Purchase

pytestmark = pytest.mark.django_db

# Each command with a header and a valid line of the files it reads.
COMMANDS = {
    "import_online_retail": (
        [],
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
        "536847,22155,STAR DECORATION RUSTIC,48,2010-12-03 09:31:00,0.42,17135,United Kingdom\n",
    ),
    "import_interactions": (
        ["--customer", "user", "--product", "item", "--timestamp", "ts", "--product-name", "title"],
        "user,item,ts,title\n",
        "u1,i1,2024-03-01T10:00:00Z,Red Lantern\n",
    ),
}


def _run(command: str, path: Path, tmp_path: Path) -> None:
    arguments, _, _ = COMMANDS[command]
    call_command(command, str(path), *arguments, rejects=str(tmp_path / "rejects.csv"), stdout=StringIO())


def _file(command: str, tmp_path: Path, bad_line: str, *, name: str = "data.csv") -> Path:
    """Valid lines, then the bad one, then a valid one again."""
    _, header, line = COMMANDS[command]
    path = tmp_path / name
    path.write_text(header + line * 3 + bad_line + line)
    return path


def _nothing_stored() -> bool:
    return not any(m.objects.exists() for m in (Product, Customer, Purchase, InteractionEvent))


@pytest.fixture(params=list(COMMANDS))
def command(request: Any) -> str:
    name: str = request.param
    return name


def test_a_nul_character_refuses_the_file(command: str, tmp_path: Path) -> None:
    _, _, line = COMMANDS[command]
    path = _file(command, tmp_path, line.replace("2", "\x00", 1))

    with pytest.raises(CommandError, match="Line 5 holds a NUL character"):
        _run(command, path, tmp_path)
    assert _nothing_stored()


def test_a_huge_line_refuses_the_file(command: str, tmp_path: Path) -> None:
    _, _, line = COMMANDS[command]
    path = _file(command, tmp_path, line.replace("2", "2" + "x" * 3_000_000, 1))

    with pytest.raises(CommandError, match="Line 5 is longer than 1,048,576 characters"):
        _run(command, path, tmp_path)
    assert _nothing_stored()


@pytest.fixture
def field_limit_raised_elsewhere() -> Iterator[None]:
    """The csv module's field limit is process-wide: another reader may have raised it."""
    previous = csv.field_size_limit(2**31 - 1)
    yield
    csv.field_size_limit(previous)


@pytest.mark.usefixtures("field_limit_raised_elsewhere")
def test_a_huge_quoted_field_refuses_the_file_with_the_line(command: str, tmp_path: Path) -> None:
    # short lines, but one quoted field that never closes
    path = _file(command, tmp_path, '"' + "many words\n" * 20_000)

    with pytest.raises(CommandError, match=r"Line \d[\d,]* is not valid CSV: field larger than field limit"):
        _run(command, path, tmp_path)
    assert _nothing_stored()


def test_a_file_larger_than_the_limit_refuses_the_file(command: str, tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 100_000
    _, header, line = COMMANDS[command]
    path = tmp_path / "big.csv"
    path.write_text(header + line * 5_000)

    with pytest.raises(CommandError, match=r"more than 100,000 bytes \(IMPORT_MAX_BYTES\) once decompressed"):
        _run(command, path, tmp_path)
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("max_bytes", "content", "limit"),
    [
        (100_000, b"\x00" * 50_000_000, "100,000 bytes (IMPORT_MAX_BYTES)"),
        (1 << 30, b"a,b\n" * 10_000_000, "16,777,216 bytes (IMPORT_MAX_GZIP_RATIO times the archive's size)"),
    ],
    ids=["beyond-max-bytes", "beyond-ratio"],
)
def test_a_gzip_bomb_refuses_the_file(
    command: str, tmp_path: Path, settings: Any, max_bytes: int, content: bytes, limit: str
) -> None:
    settings.IMPORT_MAX_BYTES = max_bytes
    _, header, line = COMMANDS[command]
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress((header + line * 10).encode() + content, compresslevel=9))

    with pytest.raises(CommandError, match=re.escape(f"more than {limit} once decompressed")):
        _run(command, path, tmp_path)
    assert _nothing_stored()
