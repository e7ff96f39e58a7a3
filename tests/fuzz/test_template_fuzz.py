"""Random compositions of the operations a staff template can use: each renders within the
output cap or is refused with a ``TemplateProblem``; none escapes with another error or
asks for more memory than a render may use."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.rendering.sandbox import EmailSandbox, Limits, TemplateProblem, compile_part, render_part
from tests.fuzz.budget import fuzz_budget

SANDBOX = EmailSandbox(autoescape=True)
LIMITS = Limits(seconds=0.5, max_chars=50_000)
HEADROOM = 512 << 20  # bytes; one unchecked amplification asks for gigabytes

NUMBERS = st.sampled_from(["0", "3", "100", "10000", "100000", "10 ** 6", "10 ** 9", "-1"])
ATOMS = st.one_of(
    NUMBERS,
    st.sampled_from(["'x'", "'ab cd'", "'%s'", "'%*d'", "'{:>9}'", "name", "[1, 2, 3]", "range(1000)",
                     "products", "'x, y'.split(',')", "{'a': 1}"]),
)  # fmt: skip

COMBINATIONS = st.sampled_from(
    ["{a}|replace('x', {b})", "{a}|join({b})", "{a}|format({b})", "'%s%s' % ({a}, {b})",
     "'{{}}{{}}'.format({a}, {b})", "{a}|indent({b})", "[{a}, {b}]", "{a}|batch(3, {b})|list",
     "{a}|wordwrap(5, wrapstring={b})", "{a} ~ {b}"]
)  # fmt: skip


def grow(child: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(child, st.sampled_from(["*", "+", "~", "%", "**"]), child).map(
        lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
    )
    filtered = st.tuples(
        child,
        st.sampled_from(["replace('x', 'yyyyyyyyyy')", "join", "join(', ')", "format(1, 2)", "center(50)",
                         "list", "batch(3)", "string", "tojson", "sum", "reverse", "sort", "unique",
                         "wordwrap(5)", "indent(4)", "map('string')", "truncate(10)", "length", "upper",
                         "first", "trim"]),
    ).map(lambda parts: f"({parts[0]})|{parts[1]}")  # fmt: skip
    method = st.tuples(
        child, st.sampled_from(["replace('x', 'xx')", "split()", "join(['a', 'b'])", "format(1)", "upper()",
                                "ljust(5)", "zfill(5)", "count('x')"]),
    ).map(lambda parts: f"({parts[0]}).{parts[1]}")  # fmt: skip
    combined = st.tuples(child, COMBINATIONS, child).map(
        lambda parts: "(" + parts[1].format(a=parts[0], b=parts[2]) + ")"
    )
    return st.one_of(binary, filtered, method, combined)


EXPRESSIONS = st.recursive(ATOMS, grow, max_leaves=6)
TEMPLATES = st.one_of(
    EXPRESSIONS.map(lambda e: "{{ " + e + " }}"),
    EXPRESSIONS.map(lambda e: "{{ (" + e + ")|length }}"),
    st.tuples(EXPRESSIONS, EXPRESSIONS).map(
        lambda e: "{% for a in " + e[0] + " %}{% for b in " + e[1] + " %}{% endfor %}{% endfor %}"
    ),
    EXPRESSIONS.map(
        lambda e: (
            "{% set ns = namespace(v=" + e + ") %}{% for i in range(40) %}{% set ns.v = ns.v ~ ns.v %}"
            "{% endfor %}{{ ns.v|length }}"
        )
    ),
    st.tuples(
        EXPRESSIONS, st.integers(1, 40), st.sampled_from(["a == a", "a|length", "a", "a|tojson|length"])
    ).map(
        lambda e: (
            "{% with a = "
            + e[0]
            + " %}"
            + "{% with a = [a, {'k': a}] %}" * e[1]
            + "{{ "
            + e[2]
            + " }}"
            + "{% endwith %}" * (e[1] + 1)
        )
    ),
    st.tuples(EXPRESSIONS, NUMBERS).map(
        lambda e: (
            "{% macro m(n) %}{% if n > 0 %}{{ " + e[0] + " }}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}"
            "{% endmacro %}{{ m(" + e[1] + ") }}"
        )
    ),
)


@contextmanager
def memory_capped(headroom: int) -> Iterator[None]:
    """Allocations beyond ``headroom`` more bytes of address space raise MemoryError here instead
    of taking the machine's memory."""
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (pages * resource.getpagesize() + headroom, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.fuzz
@fuzz_budget
@given(source=TEMPLATES)
def test_a_random_template_renders_within_the_caps_or_is_refused(source: str) -> None:
    context = {"name": "Ann", "products": [{"name": "Lantern", "price": 2.5}] * 8}
    try:
        with memory_capped(HEADROOM):
            output = render_part(compile_part(SANDBOX, source, "body"), context, "body", LIMITS)
    except TemplateProblem as refused:
        output, problem = "", refused.message
    else:
        problem = ""
    # a cap refuses before allocating; running out of the headroom means no cap held
    assert "memory" not in problem, f"rendering asked for more than {HEADROOM >> 20} MB: {source}"
    assert len(output) <= LIMITS.max_chars
