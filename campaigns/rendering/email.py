"""One email from a staff template and one customer's data: subject, preheader, HTML, text.

The staff parts run in the sandbox with the customer's data and a few blocks
(functions that return our own, trusted HTML); the result is wrapped in the
layout (600 px tables, dark mode, footer with the unsubscribe link and postal
address), its CSS inlined, and a text part written from it unless the template
has its own. Pure: data in, strings out; no database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import css_inline
from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from jinja2 import Environment, FileSystemLoader, Template, TemplateSyntaxError, meta, select_autoescape
from markupsafe import Markup

from campaigns.rendering.sandbox import (
    EmailSandbox,
    Limits,
    TemplateProblem,
    compile_part,
    render_deadline,
    render_part,
)

LAYOUT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "layout"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
HTML_SANDBOX = EmailSandbox(autoescape=True)
TEXT_SANDBOX = EmailSandbox(autoescape=False)
INLINER = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)
TEXT_CONFIG = ParserConfig(display_links=True)
TEXT_VARIANTS = frozenset({"products", "interests", "vision_board", "button"})  # blocks with a ``.text.html``
BOARD_NAMES = frozenset({"vision_board", "vision_board_image"})  # the variable and its block


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    preheader: str
    html_body: str
    text_body: str = ""
    language: str = "en"


@dataclass(frozen=True)
class Product:
    name: str
    sku: str
    price: str
    url: str
    reason: str
    image_url: str = ""


@dataclass(frozen=True)
class Personalization:
    """Everything a template can use, as plain data (documented next to the editor)."""

    customer: dict[str, Any]
    recommendations: list[Product]
    interests: list[str]
    unsubscribe_url: str
    company: dict[str, str]
    vision_board: dict[str, str] | None = None
    shop_url: str = ""
    recommendation_mode: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def variables(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "recommendations": [asdict(p) for p in self.recommendations],
            "interests": self.interests,
            "vision_board": self.vision_board,
            "unsubscribe_url": self.unsubscribe_url,
            "company": self.company,
            "shop_url": self.shop_url,
        }


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    preheader: str
    html: str
    text: str


def render_email(source: TemplateSource, data: Personalization, limits: Limits) -> RenderedEmail:
    """Raises ``TemplateProblem`` (with the part and line) when the template does not render;
    all parts share one deadline."""
    with render_deadline(limits.seconds):
        return _render_email(source, data, limits)


def _render_email(source: TemplateSource, data: Personalization, limits: Limits) -> RenderedEmail:
    variables = data.variables()
    subject = " ".join(_render(TEXT_SANDBOX, source.subject, "subject", variables, limits).split())
    preheader = " ".join(_render(TEXT_SANDBOX, source.preheader, "preheader", variables, limits).split())
    body = _render(HTML_SANDBOX, source.html_body, "body", {**variables, **_blocks(data, "html")}, limits)
    page = _layout("layout.html").render(
        body=Markup(body),  # noqa: S704 - the sandbox's output, escaped as it rendered
        subject=subject, preheader=preheader, language=source.language,
        company=data.company, unsubscribe_url=data.unsubscribe_url,
    )  # fmt: skip
    if source.text_body.strip():
        text = _render(TEXT_SANDBOX, source.text_body, "text", {**variables, **_blocks(data, "text")}, limits)
    else:  # the body again, with blocks made for reading as text, then converted
        text = _as_text(
            _render(
                HTML_SANDBOX,
                source.html_body,
                "body",
                {**variables, **_blocks(data, "html-for-text")},
                limits,
            )
        )
    text = f"{text.strip()}\n\n{_text_footer(data)}"
    return RenderedEmail(subject=subject, preheader=preheader, html=INLINER.inline(page), text=text)


def _render(
    environment: EmailSandbox, source: str, part: str, variables: dict[str, Any], limits: Limits
) -> str:
    return render_part(_compiled(environment, source, part), variables, part, limits)


@lru_cache(maxsize=256)
def _compiled(environment: EmailSandbox, source: str, part: str) -> Template:
    """A campaign renders one template thousands of times: parse it once."""
    return compile_part(environment, source, part)


@lru_cache(maxsize=16)
def _layout(name: str) -> Template:
    return LAYOUT.get_template(name)


def _blocks(data: Personalization, variant: str) -> dict[str, Callable[..., str]]:
    """The blocks a template calls, e.g. ``{{ products(limit=4) }}`` (named apart from the
    variables: ``interests`` is the list, ``interest_tags()`` its block). ``html``: our email HTML;
    ``html-for-text``: simpler HTML that reads well once converted to text; ``text``: that text."""

    def block(name: str, **context: Any) -> str:
        if variant == "html":
            return Markup(_layout(f"{name}.html").render(**context))  # noqa: S704 - our own layout
        simple = _layout(f"{name}.text.html" if name in TEXT_VARIANTS else f"{name}.html").render(**context)
        return Markup(simple) if variant == "html-for-text" else _as_text(simple).strip("\n")  # noqa: S704

    def greeting() -> str:
        return block("greeting", customer=data.customer)

    def products(limit: int = 4, columns: int = 2) -> str:
        if not 1 <= columns <= 3:
            raise TemplateProblem("products(columns=…) takes 1, 2 or 3")
        items = [asdict(p) for p in data.recommendations[: max(0, min(limit, 24))]]
        return block("products", items=items, columns=columns, image_width=520 // columns - 16)

    def interest_tags(limit: int = 6) -> str:
        return block("interests", interests=data.interests[: max(0, min(limit, 20))])

    def vision_board_image() -> str:
        return block("vision_board", board=data.vision_board)

    def button(label: str, url: str) -> str:
        if not url.startswith(("https://", "http://", "mailto:")):
            raise TemplateProblem("button(…, url) needs an http(s) or mailto address")
        return block("button", label=label, url=url)

    return {
        "greeting": greeting, "products": products, "interest_tags": interest_tags,
        "vision_board_image": vision_board_image, "button": button,
    }  # fmt: skip


@lru_cache(maxsize=256)
def uses_vision_board(*parts: str) -> bool:
    """Whether any of a template's parts shows the customer's vision board (its block or its
    variable): a campaign then draws the boards its recipients lack before rendering their
    emails. A part that does not parse shows nothing (its render fails with the reason)."""
    for part in parts:
        try:
            if meta.find_undeclared_variables(HTML_SANDBOX.parse(part)) & BOARD_NAMES:
                return True
        except TemplateSyntaxError:
            continue
    return False


def _as_text(html: str) -> str:
    lines = [line.rstrip() for line in get_text(html, TEXT_CONFIG).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def _text_footer(data: Personalization) -> str:
    company = data.company
    return (
        f"--\nUnsubscribe with one click: {data.unsubscribe_url}\n{company['name']} · {company['address']}\n"
    )


# What a template can use, shown next to the editor in the admin (name, what it is).
VARIABLES = (
    ("customer.first_name", "First name, or empty: {% if customer.first_name %}…{% endif %}"),
    ("customer.name / .email / .country / .external_id", "The rest of the customer's record"),
    (
        "customer.last_message",
        "The latest message (empty without one): intent (slug), intent_name, channel, "
        "sent_at (date), days_ago, on_hold (a recent complaint); e.g. "
        "{% if customer.last_message.intent == 'delivery' %}…{% endif %}",
    ),
    ("recommendations", "List of products: name, sku, price, url (tracked), reason, image_url"),
    ("interests", "The customer's interests, strongest first (names)"),
    ("vision_board", "The latest board: image_url, url, alt; or none"),
    ("shop_url", "The shop's home page (tracked)"),
    ("unsubscribe_url", "One-click unsubscribe (the footer always has it)"),
    ("company.name / .address", "Your company's name and postal address"),
)
BLOCKS = (
    ("greeting()", "“Hi Anna,” as a heading, “Hello,” without a name"),
    ("products(limit=4, columns=2)", "Recommended products: image, name, price, reason, link"),
    ("interest_tags(limit=6)", "The customer's interests as tags"),
    ("vision_board_image()", "The customer's vision board, linked; nothing if none"),
    ("button(label, url)", "A bulletproof button"),
)
