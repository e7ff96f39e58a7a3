"""``{% chart_assets %}`` and ``{% chart spec %}``: see ``marketing_platform.charts``."""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from marketing_platform.charts import Chart

register = template.Library()


@register.simple_tag
def chart_assets() -> str:
    """The stylesheet and scripts that draw a page's charts, for its ``extrahead`` block."""
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" defer></script><script src="{}" defer></script>',
        static("marketing_platform/charts.css"),
        static("vendor/chart.js/chart.umd.min.js"),
        static("marketing_platform/charts.js"),
    )


@register.inclusion_tag("charts/chart.html")
def chart(spec: Chart) -> dict[str, Any]:
    return {"chart": spec}
