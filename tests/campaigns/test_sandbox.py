"""Staff templates are untrusted: escapes, runaway output and runaway loops fail with a message."""

from __future__ import annotations

import pytest

from campaigns.rendering.sandbox import (
    MAX_SIZE,
    EmailSandbox,
    Limits,
    TemplateProblem,
    compile_part,
    render_part,
)

SANDBOX = EmailSandbox(autoescape=True)
LIMITS = Limits(seconds=0.5, max_chars=50_000)

ESCAPES = {
    "subclasses through a literal": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals of a global": "{{ namespace.__init__.__globals__['os'].popen('id').read() }}",
    "globals of range": "{{ range.__globals__ }}",
    "template reference internals": "{{ self._TemplateReference__context }}",
    "str.format reaching attributes": "{{ '{0.__class__.__base__.__subclasses__}'.format(name) }}",
    "format_map": "{{ '{x.__class__}'.format_map({'x': name}) }}",
    "attr filter": "{{ name|attr('__class__') }}",
    "mutating a list": "{% set x = [] %}{{ x.append(1) }}",
    "the config of a Flask-style app": "{{ config.items() }}",
}
BLOW_UPS = {
    "string repetition": "{{ 'x' * 1000000000 }}",
    "integer tower": "{{ (10 ** 64) ** 64 * (10 ** 64) ** 64 }}",
    "%-format width": "{{ '%0999999999d' % 1 }}",
    "format filter width": "{{ '%09999d'|format(1) }}",
    "str.format width": "{{ '{:>99999999}'.format(1) }}",
    "center filter": "{{ 'x'|center(1000000000) }}",
    "wordwrap width": "{{ 'a b'|wordwrap(1000000) }}",
    "ljust method": "{{ 'x'.ljust(1000) }}",
    "a huge range": "{% for i in range(10 ** 9) %}{% endfor %}",
}
# Each builds 1e8 to 1e10 characters from small pieces; each is refused before it is built.
AMPLIFICATIONS = {
    "replace filter": "{{ (('x' * 100000)|replace('x', 'y' * 10000))|length }}",
    "replace method": "{{ ('x' * 100000).replace('x', 'yy')|length }}",
    "%-format width from a value": "{{ ('%*d' % (10 ** 9, 1))|length }}",
    "format filter width from a value": "{{ ('%*s'|format(99999, 'x'))|length }}",
    "str.format width from a value": "{{ '{:{}}'.format('x', 99999)|length }}",
    "str.format repeating a field": "{{ ('{0}' * 1000).format('x' * 1000)|length }}",
    "join filter over a big list": "{{ ('x' * 1000)|list|join('y' * 1000)|length }}",
    "join method over a big list": "{{ ('y' * 1000).join(('x' * 1000)|list)|length }}",
    "join over a lazy map": "{{ range(100000)|map('string')|join|length }}",
    "namespace doubled with ~": (
        "{% set ns = namespace(s='x' * 1000) %}"
        "{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
    ),
    "namespace doubled with +": (
        "{% set ns = namespace(s=['x' * 1000]) %}"
        "{% for i in range(30) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}"
    ),
    "namespace nesting a list in itself": (
        "{% set ns = namespace(s=['x' * 1000]) %}"
        "{% for i in range(60) %}{% set ns.s = [ns.s, ns.s] %}{% endfor %}{{ ns.s|length }}"
    ),
    "a list of one long string repeated": "{{ ['x' * 100000] * 100000 }}",
    "with doubling lists, then compared": (
        "{% with a = [1], b = [1] %}"
        + "{% with a = [a, a], b = [b, b] %}" * 40
        + "{{ a == b }}"
        + "{% endwith %}" * 41
    ),
    "a dict literal holding a value twice": (
        "{% set ns = namespace(d={}) %}{% for i in range(60) %}{% set ns.d = {'a': ns.d, 'b': ns.d} %}"
        "{% endfor %}{{ ns.d == ns.d }}"
    ),
    "a list of one big number repeated": "{% set x = [2 ** 2000] * 99999 %}{{ x }}",
    "bytes repeated": "{{ ('x'.encode() * 10 ** 9)|length }}",
    "translate to long strings": "{{ ('x' * 100000).translate({120: 'y' * 100000}) }}",
    "indent by a long string": "{{ ('x\\n' * 50000)|indent('y' * 1000) }}",
    "wordwrap with a long wrapstring": "{{ ('x ' * 50000)|wordwrap(2, wrapstring='y' * 10000)|length }}",
    "batch padding": "{{ [1]|batch(100000, 'x' * 1000)|list|length }}",
    "sum of lists": "{{ ([[1]] * 40000)|sum(start=[])|length }}",
    "a macro printing in a loop": (
        "{% macro m() %}{% for i in range(100000) %}{{ 'x' * 99999 }}{% endfor %}{% endmacro %}"
        "{{ m()|length }}"
    ),
    "a set block printing in a loop": (
        "{% set x %}{% for i in range(100000) %}{{ 'x' * 99999 }}{% endfor %}{% endset %}{{ x|length }}"
    ),
    "a macro doubling itself": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% else %}{{ 'x' * 10000 }}{% endif %}"
        "{% endmacro %}{{ f(40)|length }}"
    ),
}
RUNAWAY_LOOPS = {
    "nested loops over strings": (
        "{% for a in 'x' * 100000 %}{% for b in 'x' * 10000 %}{% endfor %}{% endfor %}"
    ),
    "nested loops over lists": (
        "{% set xs = ('x' * 50000)|list %}{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}"
    ),
    "recursive loop()": (
        "{% for a in range(100000) recursive %}"
        "{% if loop.depth < 3 %}{{ loop(range(100000)) }}{% endif %}{% endfor %}"
    ),
}


def render(source: str, limits: Limits = LIMITS) -> str:
    return render_part(compile_part(SANDBOX, source, "body"), {"name": "Ann"}, "body", limits)


@pytest.mark.parametrize("source", ESCAPES.values(), ids=ESCAPES.keys())
def test_sandbox_escapes_are_refused_with_a_message(source: str) -> None:
    with pytest.raises(TemplateProblem) as refused:
        render(source)

    assert refused.value.line == 1
    assert refused.value.part == "body"
    assert "unsafe" in refused.value.message or "undefined" in refused.value.message


@pytest.mark.parametrize("source", BLOW_UPS.values(), ids=BLOW_UPS.keys())
def test_requests_for_huge_values_are_refused_before_they_are_built(source: str) -> None:
    with pytest.raises(TemplateProblem, match="not allowed"):
        render(source)


@pytest.mark.parametrize("source", AMPLIFICATIONS.values(), ids=AMPLIFICATIONS.keys())
def test_no_operation_builds_a_value_past_the_size_cap(source: str) -> None:
    with pytest.raises(TemplateProblem) as refused:
        render(source)

    assert refused.value.line == 1
    assert refused.value.message.startswith("not allowed in email templates:")


@pytest.mark.parametrize("source", RUNAWAY_LOOPS.values(), ids=RUNAWAY_LOOPS.keys())
def test_every_loop_stops_at_the_deadline(source: str) -> None:
    with pytest.raises(TemplateProblem, match="took too long"):
        render(source, Limits(seconds=0.2, max_chars=50_000))


def test_output_past_the_size_cap_stops_the_render() -> None:
    with pytest.raises(TemplateProblem, match="larger than 50,000 characters"):
        render("{% for i in range(100000) %}{{ name }} {{ i }}{% endfor %}")


def test_nested_loops_stop_at_the_deadline() -> None:
    with pytest.raises(TemplateProblem, match="took too long"):
        render("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")


def test_recursion_is_stopped() -> None:
    with pytest.raises(TemplateProblem, match="calls itself too deeply"):
        render("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}")


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("<p>Hi</p>\n{% for x in %}\n", 2, "Expected an expression"),
        ("<p>Hi</p>\n<p>ok</p>\n{{ custmer.first_name }}", 3, "'custmer' is undefined"),
        ("one\n{{ 1 / 0 }}", 2, "ZeroDivisionError"),
        ("{% if name %}\n<p>open\n", 1, "Unexpected end of template"),  # where the open block starts
    ],
)
def test_a_broken_template_names_its_line(source: str, line: int, message: str) -> None:
    with pytest.raises(TemplateProblem) as problem:
        render(source)

    assert problem.value.line == line
    assert message in problem.value.message
    assert f"line {line}" in str(problem.value)


def test_ordinary_templates_render_with_autoescape() -> None:
    source = "<p>{{ name|upper }} · {% for i in range(3) %}{{ i }}{% endfor %} · {{ '<b>' }}</p>"

    assert render(source) == "<p>ANN · 012 · &lt;b&gt;</p>"


def test_ordinary_loops_joins_and_price_formats_still_render() -> None:
    source = (
        "{% for p in products %}<li>{{ loop.index }}. {{ p.name|title }}: {{ '%.2f'|format(p.price) }} "
        "({{ p.tags|join(', ') }}){{ ', ' if not loop.last }}</li>{% endfor %}"
        "{% set ns = namespace(total=0) %}{% for p in products %}{% set ns.total = ns.total + p.price %}"
        "{% endfor %}<p>{{ '{:.2f}'.format(ns.total) }} · {{ products|map(attribute='name')|join(' / ') }}"
        " · {{ products|sum(attribute='price') }} · {{ 'x'|replace('x', 'y') * 3 }}</p>"
        "{{ ('x' * 10)|truncate(300) }}{% with pair = [1, 2] %}{{ pair|sum }}{% endwith %}"
    )
    products = [
        {"name": "tea cup", "price": 2.5, "tags": ["kitchen", "gift"]},
        {"name": "cake stand", "price": 12.75, "tags": ["kitchen"]},
    ]

    html = render_part(compile_part(SANDBOX, source, "body"), {"products": products}, "body", LIMITS)

    assert html == (
        "<li>1. Tea Cup: 2.50 (kitchen, gift), </li><li>2. Cake Stand: 12.75 (kitchen)</li>"
        "<p>15.25 · tea cup / cake stand · 15.25 · yyy</p>xxxxxxxxxx3"
    )


def test_values_up_to_the_cap_are_allowed() -> None:
    assert render(f"{{{{ ('x' * {MAX_SIZE})|replace('x', 'y')|length }}}}") == str(MAX_SIZE)
