"""Staff-authored templates run here: Jinja2's immutable sandbox, with caps on time and size.

The sandbox already refuses private attributes (``__class__``, ``__globals__``…),
unsafe callables and mutating lists or dicts. What it leaves open is work and
memory: ``"x" * 10**9``, ``"%*d" % (10**9, 1)``, ``replace`` or ``join`` with long
strings, a namespace value doubled in a loop, nested loops over long strings.
Here one budget covers them all:

- size: no step of a render builds a value larger than ``MAX_SIZE`` (characters, or
  items counted through nested lists and dicts). Operators, methods and filters that
  multiply (``*``, ``%``, ``format``, ``replace``, ``join``, ``indent``…) are estimated
  before they run; every other result, ``~``, ``{% set %}``, printed value and captured
  block (macro, ``{% call %}``, ``{% filter %}``, ``{% set %}…{% endset %}``) is
  measured as it is made.
- time: the render stops at its deadline, checked on every call, filter, loop step
  (over ranges, strings, lists, ``loop()``) and output chunk.

Every failure becomes a ``TemplateProblem`` with the line it happened on.
"""

from __future__ import annotations

import inspect
import re
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from string import Formatter
from typing import Any, TypeVar

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

MAX_NUMBER = 100_000  # the largest number a call or filter takes (range, batch…)
MAX_WIDTH = 200  # padding, indent and wrap widths
MAX_FORMAT_WIDTH = 999  # a %-format or str.format width or precision
MAX_SIZE = 100_000  # characters or items: the largest value any step of a render builds
MAX_INTEGER_BITS = 4096  # an integer built by * or **
UNSAFE_STR_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "translate"})
WIDTH_FILTERS = frozenset({"center", "indent", "wordwrap"})
PERCENT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?(?P<type>.)",
    re.DOTALL,
)
_deadline: ContextVar[float] = ContextVar("email_render_deadline", default=float("inf"))
T = TypeVar("T")


class TemplateProblem(Exception):
    """A template that does not render, said so a person can fix it."""

    def __init__(self, message: str, *, line: int | None = None, part: str = "") -> None:
        self.message, self.line, self.part = message, line, part
        where = f" ({part}, line {line})" if part and line else f" (line {line})" if line else ""
        super().__init__(f"{message}{where}")


@dataclass(frozen=True)
class Limits:
    seconds: float
    max_chars: int


class SandboxCodeGenerator(CodeGenerator):
    """Jinja's code generator with the hooks Jinja has no setting for: loops step through
    ``environment.iterate``; ``~``, list, tuple and dict literals and ``{% set %}`` values go
    through ``environment.measured``; captured output is an ``OutputBuffer``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wrapped: dict[int, str] = {}  # id of an expression node -> the hook it goes through

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        hook = self._wrapped.get(id(node))
        if hook is None:
            return super().visit(node, *args, **kwargs)
        self.write(f"environment.{hook}(")
        super().visit(node, *args, **kwargs)
        self.write(")")
        return None

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.output_buffer()")

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._wrapped[id(node.iter)] = "iterate"
        super().visit_For(node, frame)

    def visit_Assign(self, node: nodes.Assign, frame: Frame) -> None:
        self._wrapped[id(node.node)] = "measured"
        super().visit_Assign(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self._measure(super().visit_Concat, node, frame)

    # A literal holding other values twice doubles their size: ``{% with a = [a, a] %}``.
    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._measure(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._measure(super().visit_Dict, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # an assignment target, not a value
            super().visit_Tuple(node, frame)
            return
        self._measure(super().visit_Tuple, node, frame)

    def _measure(self, visit: Callable[[Any, Frame], None], node: nodes.Node, frame: Frame) -> None:
        self.write("environment.measured(")
        visit(node, frame)
        self.write(")")


class OutputBuffer(list[str]):
    """The output of a macro, call block, filter block or ``{% set %}`` block, capped at
    ``MAX_SIZE`` as it grows."""

    size = 0

    def append(self, chunk: str) -> None:
        self._grow(len(chunk))
        super().append(chunk)

    def extend(self, chunks: Iterable[str]) -> None:
        chunks = tuple(chunks)
        self._grow(sum(map(len, chunks)))
        super().extend(chunks)

    def _grow(self, size: int) -> None:
        _check_deadline()
        self.size += size
        if self.size > MAX_SIZE:
            raise _too_large()


class EmailSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = SandboxCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        # a misspelt variable is an error to fix in the preview, not a blank in 10,000 emails
        super().__init__(undefined=StrictUndefined, finalize=_measured, **options)
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self.globals["range"] = _capped_range
        self.filters = {name: _guarded_filter(name, f) for name, f in self.filters.items()}

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator in ("*", "**") and _is_int(left) and _is_int(right):
            bits = left.bit_length() * (abs(right) if operator == "**" else 1) + (
                0 if operator == "**" else right.bit_length()
            )
            if bits > MAX_INTEGER_BITS:
                raise SecurityError("numbers this large are not allowed")
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, bytes, list, tuple)) and _is_int(times):
                    _estimate(_size(sequence) * times)
        if operator == "%" and isinstance(left, str):
            _estimate(_percent_size(left, right))
        return _measured(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = _checked_arguments(args, kwargs, limit=MAX_NUMBER, unit="numbers", where="calls")
        if isinstance(__obj, LoopContext) and args:  # loop(children) in a recursive loop
            args = (__self.iterate(args[0]), *args[1:])
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, bytes)) and __obj.__name__ in METHOD_ESTIMATES:
            _estimate(METHOD_ESTIMATES[__obj.__name__](owner, args, kwargs))
        return _measured(_collected(super().call(__context, __obj, *args, **kwargs)))

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, (str, bytes)) and attr in UNSAFE_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template, is_format_map = value.__self__, value.__name__ == "format_map"

        def estimated(*args: Any, **kwargs: Any) -> str:
            values = args[0] if is_format_map and args else kwargs
            _estimate(_format_size(template, () if is_format_map else args, values))
            return wrapped(*args, **kwargs)

        return estimated

    def iterate(self, iterable: Iterable[T]) -> Iterator[T]:
        """Every loop steps through here, so no loop, however nested, outruns the deadline."""
        for item in iterable:
            _check_deadline()
            yield item

    @staticmethod
    def measured(value: T) -> T:
        return _measured(value)

    @staticmethod
    def output_buffer() -> OutputBuffer:
        return OutputBuffer()


def compile_part(environment: EmailSandbox, source: str, part: str) -> Template:
    """Parse one part (subject, body…) of a template; a syntax error names its line. Frames
    of the compiled code carry ``part`` as their file name, which is how runtime errors
    find their line."""
    try:
        code = environment.compile(source, name=part, filename=part)
        return environment.template_class.from_code(environment, code, environment.make_globals(None))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.message or "syntax error", line=exc.lineno, part=part) from None


@contextmanager
def render_deadline(seconds: float) -> Iterator[None]:
    """Every part rendered inside shares one deadline (an email is one render, not five)."""
    token = _deadline.set(min(_deadline.get(), time.monotonic() + seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def render_part(template: Template, context: Mapping[str, Any], part: str, limits: Limits) -> str:
    """Render within the limits; whatever goes wrong comes back as a ``TemplateProblem``."""
    chunks: list[str] = []
    size = 0
    try:
        with render_deadline(limits.seconds):
            for chunk in template.generate(context):
                size += len(chunk)
                if size > limits.max_chars:
                    raise TemplateProblem(f"the output is larger than {limits.max_chars:,} characters")
                _check_deadline()
                chunks.append(chunk)
    except TemplateProblem as exc:
        raise TemplateProblem(exc.message, line=exc.line or _line_of(exc, part), part=part) from None
    except (SecurityError, TemplateError, ArithmeticError, TypeError, ValueError, LookupError,
            AttributeError, RecursionError, MemoryError) as exc:  # fmt: skip
        raise TemplateProblem(_message(exc), line=_line_of(exc, part), part=part) from None
    return "".join(chunks)


def _message(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "the template calls itself too deeply"
    if isinstance(exc, MemoryError):
        return "the template needs too much memory"
    if isinstance(exc, SecurityError):
        return f"not allowed in email templates: {exc}"
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {text}"


def _line_of(exc: BaseException, part: str) -> int | None:
    """The template line of the innermost frame of ``part`` (Jinja maps frames to lines)."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == part]
    return lines[-1] if lines else None


def _check_deadline() -> None:
    if time.monotonic() > _deadline.get():
        raise TemplateProblem("the template took too long to render")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- size ---------------------------------------------------------------------------------


def _size(value: Any, budget: int = MAX_SIZE) -> int:
    """Characters or items in ``value``, counted through nested lists, dicts and namespaces
    (a list holding one string twice counts it twice, as printing it would); stops counting
    past ``budget``, so measuring costs no more than the cap."""
    total, pending = 0, [value]
    while pending and total <= budget:
        item = pending.pop()
        if isinstance(item, (str, bytes, range)):
            total += len(item)
        elif isinstance(item, int):  # as printed: about 0.3 digits a bit
            total += item.bit_length() * 3 // 10 + 1
        elif isinstance(item, (list, tuple, set, frozenset, Mapping)):
            total += len(item)
            if total <= budget:
                pending.extend(item.values() if isinstance(item, Mapping) else item)
                if isinstance(item, Mapping):
                    pending.extend(item.keys())
        elif isinstance(item, Namespace):
            pending.append(object.__getattribute__(item, "_Namespace__attrs"))
    return total


def _too_large() -> SecurityError:
    return SecurityError(f"values larger than {MAX_SIZE:,} characters or items are not allowed")


def _estimate(size: int) -> None:
    """Refuse an operation whose result would be too large, before it is built."""
    if size > MAX_SIZE:
        raise _too_large()


def _measured(value: T) -> T:
    if _size(value) > MAX_SIZE:
        raise _too_large()
    return value


def _collected(value: Any) -> Any:
    """An iterator (``map``, ``select``, ``batch``…) as a list, measured as it is drawn."""
    if not isinstance(value, Iterator) or isinstance(value, LoopContext):
        return value
    collected, size = [], 0
    for item in value:
        _check_deadline()
        size += 1 + _size(item)
        if size > MAX_SIZE:
            raise _too_large()
        collected.append(item)
    return collected


def _text_size(value: Any) -> int:
    """About how many characters ``value`` prints as."""
    return len(str(value)) if isinstance(value, (int, float, Decimal)) else _size(value)


def _widths(*widths: str | None) -> int:
    if any(width == "*" for width in widths):
        raise SecurityError("widths taken from values (*) are not allowed")
    numbers = [int(width) for width in widths if width]
    if any(number > MAX_FORMAT_WIDTH for number in numbers):
        raise SecurityError(f"format widths above {MAX_FORMAT_WIDTH} are not allowed")
    return sum(numbers)


def _percent_size(template: str, values: Any) -> int:
    """At most how long ``template % values`` is."""
    size = len(template)
    positional = iter(values if isinstance(values, tuple) else (values,))
    for spec in PERCENT_SPEC.finditer(template):
        if spec["type"] == "%":
            continue
        size += _widths(spec["width"], spec["precision"])
        if spec["key"] is not None and isinstance(values, Mapping):
            size += _text_size(values.get(spec["key"], ""))
        else:
            size += _text_size(next(positional, ""))
    return size


def _format_size(template: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """At most how long ``template.format(*args, **kwargs)`` is."""
    size, automatic = 0, count()
    for literal, field, spec, _ in Formatter().parse(template):
        size += len(literal)
        if field is None:
            continue
        if "{" in (spec or ""):
            raise SecurityError("widths taken from values are not allowed")
        size += _widths(*re.findall(r"\d+", spec or ""))
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        index = next(automatic) if name == "" else int(name) if name.isdigit() else None
        value = kwargs.get(name, "") if index is None else args[index] if index < len(args) else ""
        size += _text_size(value)
    return size


def _replace_size(text: Any, old: Any, new: Any, limit: Any = None) -> int:
    text, old, new = str(text), str(old), str(new)
    if len(new) <= len(old):
        return len(text)
    times = text.count(old) if old else len(text) + 1
    if _is_int(limit) and limit >= 0:
        times = min(times, limit)
    return len(text) + times * (len(new) - len(old))


def _join_size(separator: Any, items: Any) -> int:
    items = list(items) if isinstance(items, (list, tuple, set, frozenset, range, Mapping, str)) else []
    return sum(_text_size(item) for item in items) + len(str(separator)) * max(0, len(items) - 1)


def _lines(text: Any) -> int:
    return str(text).count("\n") + 1


def _indent_size(text: Any, width: Any) -> int:
    return len(str(text)) + _lines(text) * (width if _is_int(width) else len(str(width)))


def _wordwrap_size(text: Any, width: int, wrapstring: Any) -> int:
    text = str(text)
    lines = _lines(text) + 2 * len(text) // max(1, width - 1)
    return len(text) + lines * len(str(wrapstring or "\n"))


def _sum_size(start: Any) -> int:
    if not isinstance(start, (int, float, Decimal)):
        raise SecurityError("sum adds numbers only")
    return 0


METHOD_ESTIMATES: dict[str, Callable[[Any, tuple[Any, ...], dict[str, Any]], int]] = {
    "replace": lambda text, args, kwargs: _replace_size(text, *args, *kwargs.values()),
    "join": lambda separator, args, kwargs: _join_size(separator, args[0] if args else ()),
}
FILTER_ESTIMATES: dict[str, Callable[[Mapping[str, Any]], int]] = {
    "replace": lambda a: _replace_size(a["s"], a["old"], a["new"], a.get("count")),
    "join": lambda a: _join_size(a.get("d", ""), a["value"]),
    "format": lambda a: _percent_size(str(a["value"]), a.get("kwargs") or tuple(a.get("args", ()))),
    "indent": lambda a: _indent_size(a["s"], a.get("width", 4)),
    "wordwrap": lambda a: _wordwrap_size(a["s"], a.get("width", 79), a.get("wrapstring")),
    "urlize": lambda a: len(str(a["value"])) * (3 + _size(a.get("target")) + _size(a.get("rel"))),
    "sum": lambda a: _sum_size(a.get("start", 0)),
}


def _checked_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], *, limit: int, unit: str, where: str, skip: int = 0
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """What every call and filter goes through first: the deadline, the cap on numbers (past the
    first ``skip`` positional arguments), and each argument collected and measured."""
    _check_deadline()
    for argument in (*args[skip:], *kwargs.values()):
        if _is_int(argument) and abs(argument) > limit:
            raise SecurityError(f"{unit} above {limit:,} are not allowed in {where}")
    return (
        tuple(_measured(_collected(value)) for value in args),
        {name: _measured(_collected(value)) for name, value in kwargs.items()},
    )


def _guarded_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` with the deadline, number caps, its estimate if it multiplies, and its
    inputs and result measured."""
    estimate = FILTER_ESTIMATES.get(name)
    signature = inspect.signature(original) if estimate else None
    limit, unit = (MAX_WIDTH, "widths") if name in WIDTH_FILTERS else (MAX_NUMBER, "numbers")
    passes_context = hasattr(original, "jinja_pass_arg")  # @pass_environment and the like

    def guarded(*args: Any, **kwargs: Any) -> Any:
        head, args = (args[:1], args[1:]) if passes_context else ((), args)
        # the value filtered is measured, not capped as a number: only the filter's arguments are
        args, kwargs = _checked_arguments(args, kwargs, limit=limit, unit=unit, where="filters", skip=1)
        if estimate is not None and signature is not None:
            bound = signature.bind(*head, *args, **kwargs)
            _estimate(estimate(bound.arguments))
        return _measured(_collected(original(*head, *args, **kwargs)))

    if passes_context:
        guarded.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


def _capped_range(*args: int) -> range:
    """``range``, up to ``MAX_NUMBER``; loops over it stop at the deadline like any loop."""
    if any(abs(a) > MAX_NUMBER for a in args):
        raise SecurityError(f"ranges above {MAX_NUMBER:,} are not allowed")
    return range(*args)
