"""Crafted cursors and page sizes on every paginated list of the API: a 4xx in the envelope for
every role, never a server error."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import World
from tests.fuzz.budget import fuzz_budget
from tests.fuzz.hostile import EXTREME_NUMBERS, ODD_TEXT
from tests.support import api_list_paths

LISTS = api_list_paths()
POSITIONS = st.one_of(ODD_TEXT, EXTREME_NUMBERS.map(str), st.sampled_from(["2011-12-01T08:26:00Z", "None"]))
CURSOR_FIELDS = st.fixed_dictionaries(
    {"p": POSITIONS}, optional={"o": POSITIONS, "r": st.sampled_from(["0", "1", "x"])}
).map(lambda fields: urlencode(fields, encoding="utf-8", errors="surrogatepass"))
CURSORS = st.one_of(
    CURSOR_FIELDS.map(lambda text: base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()),
    st.text(max_size=30),
    st.sampled_from(["cD1hYmM=", "cD0xJm89LTE=", "===", "cj0x", "bz05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="]),
)


@pytest.mark.fuzz
@fuzz_budget
@given(path=st.sampled_from(LISTS), role=st.sampled_from(["staff", "customer", "service"]),
       cursor=CURSORS, page_size=st.one_of(st.none(), POSITIONS))  # fmt: skip
def test_a_crafted_cursor_is_a_client_error(
    world: World, path: str, role: str, cursor: str, page_size: Any
) -> None:
    cache.clear()  # rate limits count across examples; each starts afresh, as each test does
    query = {"cursor": cursor} | ({} if page_size is None else {"page_size": page_size})

    # surrogates travel as the invalid UTF-8 bytes a hostile client can send
    response = world.clients[role].get(f"{path}?{urlencode(query, errors='surrogatepass')}")

    assert response.status_code in (200, 400, 403, 404), (path, query, response.status_code)
    if response.status_code >= 400:
        assert {"error_code", "message", "details"} <= set(response.json())
