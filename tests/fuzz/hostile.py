"""Hostile values: what a careless or malicious client sends where a field expects something
sane. Every strategy mixes plausible values with the extremes."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

LONE_SURROGATES = st.sampled_from(["\udfff", "\ud800", "a\udc80b"])
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    LONE_SURROGATES,
    st.sampled_from(
        ["", "\x00", "a\x00b", " ", "\u202e", "\uff21\uff22\uff23", "x" * 5000, "../../etc/passwd", "%s%n"]
    ),
)
EXTREME_NUMBERS = st.one_of(
    st.integers(min_value=-10, max_value=1000),
    st.sampled_from([0, -1, 10**14, 2**63, -(2**63), 99999999999, 10**400]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1e14", "NaN", "Infinity", "-0", "2.550", "1e-400", "0x10"]),
)
ODD_TIMES = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.sampled_from(
        ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2011-12-01T08:26:00Z", "2011-12-01T08:26:00",
         "2011-02-30T00:00:00Z", "", "yesterday", "2011-12-01T08:26:00+25:00"]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
)  # fmt: skip
JSON_LEAVES = st.one_of(st.none(), st.booleans(), EXTREME_NUMBERS, ODD_TEXT)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    JSON_LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(ODD_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


def maybe(good: Any, hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the good value, so requests get past the first check and reach deeper code."""
    return st.one_of(st.just(good), st.just(good), hostile)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth
