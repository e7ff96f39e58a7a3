"""One email from a template and a customer's data: layout, blocks, inlined CSS, text part."""

from __future__ import annotations

import re

import pytest

from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from campaigns.rendering.email import (
    Personalization,
    Product,
    TemplateSource,
    render_email,
    uses_vision_board,
)
from campaigns.rendering.sandbox import Limits, TemplateProblem

LIMITS = Limits(seconds=2, max_chars=400_000)
DATA = Personalization(
    customer={"first_name": "Zoë", "name": "Zoë <b>Hacker</b>", "email": "zoe@example.org",
              "country": "France", "external_id": "12345"},
    recommendations=[
        Product("WHITE HANGING HEART T-LIGHT HOLDER", "85123A", "£2.95", "https://m.test/email/click/a",
                "Because you bought RED WOOLLY HOTTIE WHITE HEART."),
        Product("REGENCY CAKESTAND 3 TIER", "22423", "£12.75", "https://m.test/email/click/b",
                "Often bought together with PINK REGENCY TEACUP AND SAUCER", "https://m.test/media/cake.png"),
        Product("JUMBO BAG RED RETROSPOT", "85099B", "£1.95", "https://m.test/email/click/c",
                "One of our bestsellers right now"),
    ],
    interests=["Christmas", "Kitchen & dining"],
    unsubscribe_url="https://m.test/email/unsubscribe/tok",
    company={"name": "Lumen & Loom", "address": "1 Market Street, London"},
    shop_url="https://m.test/email/click/shop",
)  # fmt: skip


def test_the_default_email_is_personal_and_complete() -> None:
    email = render_email(DEFAULT_TEMPLATE, DATA, LIMITS)

    assert email.subject == "Zoë, we picked these for you"
    assert email.preheader == "New for lovers of Christmas"
    for product in DATA.recommendations[:3]:
        assert product.url in email.html
        assert product.url in email.text  # links kept in the text part
        assert product.reason.replace("&", "&amp;") in email.html
    assert "Kitchen &amp; dining" in email.html
    assert 'alt="REGENCY CAKESTAND 3 TIER"' in email.html
    for part in (email.html, email.text):
        assert DATA.unsubscribe_url in part
        assert "1 Market Street, London" in part


def test_layout_is_a_600px_table_with_inlined_css_dark_mode_and_a_hidden_preheader() -> None:
    html = render_email(DEFAULT_TEMPLATE, DATA, LIMITS).html

    assert re.search(r'<table[^>]+class="sheet frame"[^>]+width="600"', html)
    assert re.search(r'<td class="content" style="[^"]*font-family: Helvetica', html)  # inlined
    assert "@media (prefers-color-scheme: dark)" in html  # media queries stay in <style>
    assert 'name="color-scheme" content="light dark"' in html
    assert re.search(r'class="preheader" style="[^"]*display: none[^"]*">New for lovers of Christmas', html)


def test_customer_data_is_escaped_in_html_and_subject_lines_stay_one_line() -> None:
    source = TemplateSource("Hello\n{{ customer.name }}", "", "<p>{{ customer.name }}</p>")

    email = render_email(source, DATA, LIMITS)

    assert "Zoë &lt;b&gt;Hacker&lt;/b&gt;" in email.html
    assert "<b>Hacker</b>" not in email.html
    assert email.subject == "Hello Zoë <b>Hacker</b>"  # a header, not HTML; newlines folded


def test_a_customer_without_a_name_or_interests_gets_a_generic_greeting() -> None:
    anonymous = Personalization(
        customer={"first_name": "", "name": "", "email": "", "country": "", "external_id": "9"},
        recommendations=DATA.recommendations, interests=[], unsubscribe_url=DATA.unsubscribe_url,
        company=DATA.company, shop_url=DATA.shop_url,
    )  # fmt: skip

    email = render_email(DEFAULT_TEMPLATE, anonymous, LIMITS)

    assert email.subject == "We picked these for you"
    assert ">Hello,</h1>" in email.html
    assert "Because you love" not in email.html


def test_a_written_text_part_is_used_with_text_blocks_and_the_footer() -> None:
    source = TemplateSource("s", "", "<p>x</p>", "Hi {{ customer.first_name }}!\n{{ products(limit=1) }}")

    text = render_email(source, DATA, LIMITS).text

    assert text.startswith("Hi Zoë!\n")
    assert "[White Hanging Heart T-Light Holder](https://m.test/email/click/a) · £2.95" in text
    assert "<" not in text.split("--")[0]
    assert text.rstrip().endswith("1 Market Street, London")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ products(columns=7) }}", "takes 1, 2 or 3"),
        ("{{ button('Go', 'javascript:alert(1)') }}", "needs an http(s) or mailto address"),
    ],
)
def test_blocks_refuse_bad_arguments_readably(body: str, message: str) -> None:
    with pytest.raises(TemplateProblem, match=re.escape(message)):
        render_email(TemplateSource("s", "", body), DATA, LIMITS)


@pytest.mark.parametrize(
    ("parts", "shows"),
    [
        (("<p>{{ vision_board_image() }}</p>", ""), True),
        (("<p>hi</p>", "{% if vision_board %}{{ vision_board.url }}{% endif %}"), True),
        (("{% set vision_board = 1 %}{{ products() }}", ""), False),  # its own variable of that name
        (("{{ products() }}", ""), False),
        (("{% if %}{{ vision_board_image() }}", ""), False),  # does not parse: its render says why
    ],
)
def test_a_template_is_known_to_show_the_vision_board_or_not(parts: tuple[str, str], shows: bool) -> None:
    assert uses_vision_board(*parts) is shows
