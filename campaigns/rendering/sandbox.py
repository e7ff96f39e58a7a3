"""Staff-authored templates run here: Jinja2's immutable sandbox, with caps on time and size.

The sandbox already refuses private attributes (``__class__``, ``__globals__``…),
unsafe callables and mutating lists or dicts. What it leaves open is work and
memory: ``"x" * 10**9``, ``"%099999999d" % 1``, ``"x"|center(10**9)``, nested
``range`` loops. Here every operator, call, filter and loop that could blow up
is capped, the render stops at a deadline and once its output passes a size,
and every failure becomes a ``TemplateProblem`` with the line it happened on.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_NUMBER = 100_000  # the sandbox's own range limit; no argument needs more
MAX_WIDTH = 200  # padding, indent and wrap widths
MAX_STRING = 100_000  # a string or list built by *
MAX_INTEGER_BITS = 4096  # an integer built by * or **
WIDE_FORMAT = re.compile(r"\d{4,}")  # a %-format or str.format width of 1000 and up
UNSAFE_STR_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_deadline: ContextVar[float] = ContextVar("email_render_deadline", default=float("inf"))


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


class EmailSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        # a misspelt variable is an error to fix in the preview, not a blank in 10,000 emails
        super().__init__(undefined=StrictUndefined, **options)
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self.globals["range"] = _guarded_range
        for name in ("center", "indent", "wordwrap", "truncate"):
            self.filters[name] = _capped_filter(self.filters[name])
        self.filters["format"] = _checked_format(self.filters["format"])

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator in ("*", "**") and _is_int(left) and _is_int(right):
            bits = left.bit_length() * (abs(right) if operator == "**" else 1) + (
                0 if operator == "**" else right.bit_length()
            )
            if bits > MAX_INTEGER_BITS:
                raise SecurityError("numbers this large are not allowed")
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if (
                    isinstance(sequence, (str, list, tuple))
                    and _is_int(times)
                    and len(sequence) * times > MAX_STRING
                ):
                    raise SecurityError(f"a repeated value longer than {MAX_STRING:,} is not allowed")
        if operator == "%" and isinstance(left, str) and WIDE_FORMAT.search(left):
            raise SecurityError("format widths of 1000 and more are not allowed")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_deadline()
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and abs(value) > MAX_NUMBER:
                raise SecurityError(f"numbers above {MAX_NUMBER:,} are not allowed in calls")
        return super().call(__context, __obj, *args, **kwargs)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in UNSAFE_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and WIDE_FORMAT.search(value.__self__):
            raise SecurityError("format widths of 1000 and more are not allowed")
        return wrapped


def compile_part(environment: EmailSandbox, source: str, part: str) -> Template:
    """Parse one part (subject, body…) of a template; a syntax error names its line. Frames
    of the compiled code carry ``part`` as their file name, which is how runtime errors
    find their line."""
    try:
        code = environment.compile(source, name=part, filename=part)
        return environment.template_class.from_code(environment, code, environment.make_globals(None))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.message or "syntax error", line=exc.lineno, part=part) from None


def render_part(template: Template, context: Mapping[str, Any], part: str, limits: Limits) -> str:
    """Render within the limits; whatever goes wrong comes back as a ``TemplateProblem``."""
    token = _deadline.set(time.monotonic() + limits.seconds)
    chunks: list[str] = []
    size = 0
    try:
        for chunk in template.generate(context):
            size += len(chunk)
            if size > limits.max_chars:
                raise TemplateProblem(f"the output is larger than {limits.max_chars:,} characters", part=part)
            _check_deadline()
            chunks.append(chunk)
    except TemplateProblem as exc:
        raise TemplateProblem(exc.message, line=exc.line or _line_of(exc, part), part=part) from None
    except (SecurityError, TemplateError, ArithmeticError, TypeError, ValueError, LookupError,
            AttributeError, RecursionError, MemoryError) as exc:  # fmt: skip
        raise TemplateProblem(_message(exc), line=_line_of(exc, part), part=part) from None
    finally:
        _deadline.reset(token)
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


def _guarded_range(*args: int) -> Iterator[int]:
    """``range`` whose loops stop at the render deadline, however they are nested."""
    if any(abs(a) > MAX_NUMBER for a in args):
        raise SecurityError(f"ranges above {MAX_NUMBER:,} are not allowed")
    for index, value in enumerate(range(*args)):
        if index % 256 == 0:
            _check_deadline()
        yield value


def _capped_filter(original: Callable[..., Any]) -> Callable[..., Any]:
    def capped(value: Any, *args: Any, **kwargs: Any) -> Any:
        for argument in (*args, *kwargs.values()):
            if _is_int(argument) and abs(argument) > MAX_WIDTH:
                raise SecurityError(f"widths above {MAX_WIDTH} are not allowed")
        return original(value, *args, **kwargs)

    if hasattr(original, "jinja_pass_arg"):  # keep @pass_environment and the like
        capped.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return capped


def _checked_format(original: Callable[..., str]) -> Callable[..., str]:
    def checked(value: str, *args: Any, **kwargs: Any) -> str:
        if isinstance(value, str) and WIDE_FORMAT.search(value):
            raise SecurityError("format widths of 1000 and more are not allowed")
        return original(value, *args, **kwargs)

    return checked
