"""The chart component of admin pages: its spec, colours that read on the admin's light and
dark backgrounds and stay with their series, the markup (a labelled canvas, the totals and every
figure in a table, the spec as JSON for the script), and the figures as CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template

from marketing_platform.charts import NEUTRAL, PALETTE, Chart, ChartKind, Palette, Series, charts_csv

BACKGROUNDS = ("#ffffff", "#121212")  # Django admin's light and dark --body-bg


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    darker, lighter = sorted((luminance(a), luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


def channels_chart(**changes: object) -> Chart:
    palette = Palette()
    spec = {
        "key": "per-day",
        "title": "Messages per day",
        "kind": ChartKind.STACKED,
        "labels": ["1 Dec 2011", "2 Dec 2011"],
        "series": [palette.series("Chat", [3, 0]), palette.series("Email", [1, 2])],
        "label_title": "Day",
        "unit": "messages",
        **changes,
    }
    return Chart(**spec)  # type: ignore[arg-type]


@pytest.mark.parametrize("colour", [*PALETTE, NEUTRAL])
def test_every_colour_has_the_contrast_wcag_aa_asks_of_graphics_on_both_themes(colour: str) -> None:
    assert all(contrast(colour, background) >= 3 for background in BACKGROUNDS)


def test_a_series_keeps_its_colour_across_the_charts_of_a_palette() -> None:
    palette = Palette(fixed={"No intent": NEUTRAL})

    first = [palette.colour(name) for name in ("Complaint", "No intent", "Praise")]
    again = [palette.colour(name) for name in ("Praise", "Complaint", "No intent")]

    assert first == [PALETTE[0], NEUTRAL, PALETTE[1]]
    assert again == [PALETTE[1], PALETTE[0], NEUTRAL]


def test_a_spec_whose_series_do_not_fit_its_labels_is_refused() -> None:
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        channels_chart(series=[Series("Chat", [1], PALETTE[0])])
    with pytest.raises(ValueError, match="letters, digits and dashes"):
        channels_chart(key="per day")


def test_the_spec_sums_its_rows_and_describes_itself_for_a_screen_reader() -> None:
    chart = channels_chart()

    assert chart.rows == [("1 Dec 2011", [3, 1], 4), ("2 Dec 2011", [0, 2], 2)]
    assert chart.total == 6
    assert chart.description == (
        "Messages per day, 1 Dec 2011 to 2 Dec 2011: 6 messages in all (Chat: 3; Email: 3). "
        "Every figure is in the table below the chart."
    )
    assert not chart.empty
    assert channels_chart(series=[Series("Chat", [0, 0], PALETTE[0])]).empty
    assert channels_chart(labels=[], series=[]).empty


def render(template: str, **context: object) -> str:
    return Template("{% load charts %}" + template).render(Context(context))


def test_the_chart_tag_draws_a_labelled_canvas_the_totals_and_a_table_of_every_figure() -> None:
    chart = channels_chart()

    html = render("{% chart spec %}", spec=chart)

    assert f'role="img" aria-label="{chart.description}"' in html
    assert 'data-chart-spec="chart-per-day-spec"' in html
    spec = html.split('<script id="chart-per-day-spec" type="application/json">')[1].split("</script>")[0]
    assert json.loads(spec) == {
        "kind": "stacked",
        "labels": ["1 Dec 2011", "2 Dec 2011"],
        "label_title": "Day",
        "unit": "messages",
        "series": [
            {"name": "Chat", "values": [3, 0], "colour": PALETTE[0]},
            {"name": "Email", "values": [1, 2], "colour": PALETTE[1]},
        ],
    }
    details = html.split("<details")[1]
    assert '<th scope="col">Day</th><th scope="col">Chat</th><th scope="col">Email</th>' in details
    assert '<th scope="row">1 Dec 2011</th><td>3</td><td>1</td><td>4</td>' in details
    totals = html.split('class="chart-totals"')[1].split("</table>")[0]
    assert f'data-colour="{PALETTE[0]}"></span>Chat</th><td>3</td>' in totals
    assert "All messages</th><td>6</td>" in totals


def test_a_chart_without_figures_says_so_instead_of_drawing() -> None:
    html = render("{% chart spec %}", spec=channels_chart(labels=[], series=[], empty_text="No messages."))

    assert "No messages." in html
    assert "<canvas" not in html
    assert "application/json" not in html


def test_the_assets_are_the_platforms_own_static_files() -> None:
    html = render("{% chart_assets %}")

    assert '<script src="/static/vendor/chart.js/chart.umd.min.js" defer></script>' in html
    assert '<script src="/static/marketing_platform/charts.js" defer></script>' in html
    assert "http" not in html


@pytest.mark.parametrize(
    "path", ["chart.umd.min.js", "chart.umd.min.js.map", "LICENSE.md", "LICENSE-kurkle-color.md"]
)
def test_the_library_is_a_static_file_with_its_licences(path: str) -> None:
    assert finders.find(f"vendor/chart.js/{path}"), "static/vendor/chart.js lacks it: run `make frontend`"


def test_the_csv_holds_every_figure_and_quotes_what_a_spreadsheet_would_run() -> None:
    chart = channels_chart(labels=["=HYPERLINK(1)", "2 Dec 2011"])

    rows = list(csv.reader(io.StringIO(charts_csv([chart]))))

    assert rows == [
        ["chart", "label", "series", "value"],
        ["Messages per day", "'=HYPERLINK(1)", "Chat", "3"],
        ["Messages per day", "'=HYPERLINK(1)", "Email", "1"],
        ["Messages per day", "2 Dec 2011", "Chat", "0"],
        ["Messages per day", "2 Dec 2011", "Email", "2"],
    ]
