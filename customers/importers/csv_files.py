"""Reading an import file (CSV, or CSV.gz) as a stream of rows, in bounded memory.

A file is refused whole (:class:`ImportFileError`) when it cannot be read as
CSV: a missing column, a NUL character, a line or field beyond any real data,
or more bytes once decompressed than ``IMPORT_MAX_BYTES`` or, for an archive,
``IMPORT_MAX_GZIP_RATIO`` times its size (a gzip bomb). The
importers read the whole file once before they write anything, so nothing of
a refused file is stored.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, NamedTuple, cast

from django.conf import settings

# No line or field of a real interaction log comes near these; they bound what one row costs
# in memory (a quoted field may span lines).
MAX_LINE_CHARS = 1 << 20
MAX_FIELD_CHARS = 128 << 10
# Small archives may be as repetitive as they like up to this size, whatever their ratio.
GZIP_RATIO_FLOOR = 16 << 20


class ImportFileError(ValueError):
    """The file cannot be imported at all."""


class MissingColumnsError(ImportFileError):
    def __init__(self, missing: list[str], found: list[str], expected: Sequence[str]) -> None:
        super().__init__(
            f"The file lacks the column(s) {', '.join(missing)}. "
            f"Expected {', '.join(expected)}; found {', '.join(found) or 'no header'}."
        )


class Row(NamedTuple):
    line: int
    """The file's line the row ends on (a quoted field may span lines)."""
    raw: list[str]
    fields: list[str]
    """The wanted columns, in the order asked for; empty for a ragged row."""


class _CappedStream(io.RawIOBase):
    """A binary stream that refuses to give more than ``limit`` bytes."""

    def __init__(self, stream: IO[bytes], limit: int, limit_name: str) -> None:
        super().__init__()
        self._stream = stream
        self._left = limit
        self._limit = f"{limit:,} bytes ({limit_name})"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise ImportFileError(f"The file holds more than {self._limit} once decompressed.")
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed if it is gzipped, up to ``IMPORT_MAX_BYTES``; an
    archive also up to ``IMPORT_MAX_GZIP_RATIO`` times its own size (CSV compresses
    some tenfold, a bomb a thousandfold)."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    limit = (settings.IMPORT_MAX_BYTES, "IMPORT_MAX_BYTES")
    if gzipped:
        ratio_limit = max(settings.IMPORT_MAX_GZIP_RATIO * path.stat().st_size, GZIP_RATIO_FLOOR)
        limit = min(limit, (ratio_limit, "IMPORT_MAX_GZIP_RATIO times the archive's size"))
    return cast(IO[bytes], io.BufferedReader(_CappedStream(_open(path, gzipped=gzipped), *limit)))


def _open(path: Path, *, gzipped: bool) -> IO[bytes]:
    return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else path.open("rb")


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else ISO-8859-1."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open_binary(path) as raw:
        try:
            while chunk := raw.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "iso-8859-1"
    return "utf-8-sig"


def _lines(text: IO[str]) -> Iterator[str]:
    number = 0
    while line := text.readline(MAX_LINE_CHARS):
        number += 1
        if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise ImportFileError(f"Line {number:,} is longer than {MAX_LINE_CHARS:,} characters.")
        if "\x00" in line:
            raise ImportFileError(f"Line {number:,} holds a NUL character: this is not a text file.")
        yield line


def read_rows(path: Path, encoding: str, columns: Sequence[str]) -> Iterator[Row]:
    """Every row after the header, with the ``columns`` picked out by name."""
    # The limit is the csv module's, process-wide: set here, whatever another reader set it to.
    csv.field_size_limit(MAX_FIELD_CHARS)
    with io.TextIOWrapper(open_binary(path), encoding=encoding, newline="") as text:
        reader = csv.reader(_lines(text))
        try:
            header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
            missing = [name for name in columns if name not in header]
            if missing:
                raise MissingColumnsError(missing, header, columns)
            positions = [header.index(name) for name in columns]
            width = len(header)
            for row in reader:
                yield Row(reader.line_num, row, [row[i] for i in positions] if len(row) == width else [])
        except csv.Error as exc:
            raise ImportFileError(f"Line {reader.line_num:,} is not valid CSV: {exc}.") from exc
