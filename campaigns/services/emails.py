"""Rendering one customer's email from a template: previews, the API, test sends."""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings

from campaigns.messages import build_message
from campaigns.models import EmailTemplate
from campaigns.rendering.email import Personalization, RenderedEmail, TemplateSource, render_email
from campaigns.rendering.sandbox import Limits
from campaigns.selectors import personalization_for
from customers.models import Customer


class Preview(NamedTuple):
    rendered: RenderedEmail
    data: Personalization


def render_limits() -> Limits:
    return Limits(seconds=settings.EMAIL_RENDER_SECONDS, max_chars=settings.EMAIL_MAX_CHARS)


def template_source(template: EmailTemplate) -> TemplateSource:
    return TemplateSource(
        subject=template.subject,
        preheader=template.preheader,
        html_body=template.html_body,
        text_body=template.text_body,
        language=template.language,
    )


def email_preview(*, source: TemplateSource, customer: Customer) -> Preview:
    """Raises ``TemplateProblem`` when the template does not render for this customer."""
    data = personalization_for(customer)
    return Preview(render_email(source, data, render_limits()), data)


def email_send_test(*, source: TemplateSource, customer: Customer, to: str) -> Preview:
    """The email ``customer`` would get, sent to a staff address, marked as a test."""
    preview = email_preview(source=source, customer=customer)
    rendered = preview.rendered
    test = RenderedEmail(f"[Test] {rendered.subject}", rendered.preheader, rendered.html, rendered.text)
    build_message(test, to=to, unsubscribe_url=preview.data.unsubscribe_url, tags=["test"]).send()
    return preview
