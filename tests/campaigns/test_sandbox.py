"""Staff templates are untrusted: escapes, runaway output and runaway loops fail with a message."""

from __future__ import annotations

import pytest

from campaigns.rendering.sandbox import EmailSandbox, Limits, TemplateProblem, compile_part, render_part

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
