"""The admin analytics page and its CSV: the figures of a small known history, against the
period before; readable without data; a bad range refused in words; staff who may view daily
activity only; the same number of queries however much history there is."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from analytics.overview import Overview
from tests.analytics.overview_history import History, overview_history

PAGE = "/admin/analytics/overview/"
CSV = "/admin/analytics/overview.csv"


@pytest.fixture
def history(db: None, settings: Any) -> History:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return overview_history()


def staff(*codenames: str) -> Client:
    user = get_user_model().objects.create_user("clerk-" + "-".join(codenames), is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def totals(overview: Overview) -> dict[str, tuple[Any, Any, Any]]:
    return {row.name: (row.current, row.previous, row.change) for row in overview.totals.rows}


def test_the_page_shows_the_periods_figures_against_the_period_before(
    admin_client: Client, history: History
) -> None:
    response = admin_client.get(PAGE + history.query)

    assert response.status_code == 200
    overview: Overview = response.context["overview"]
    assert totals(overview) == {
        "Active customers, mean per day": (pytest.approx(3 / 7), pytest.approx(1 / 7), 200.0),
        "Orders": (3, 1, 200.0),
        "Revenue, GBP": (15.1, 5.0, 202.0),  # the shop's currency first
        "Revenue, EUR": (8.0, 0.0, None),
        "Emails sent": (2, 0, None),
        "Emails delivered": (1, 0, None),
        "Emails opened": (1, 0, None),
        "Emails clicked": (1, 0, None),
        "Emails unsubscribed": (0, 0, None),
        "Emails bounced": (1, 0, None),
        "Emails converted": (1, 0, None),
        "Revenue attributed to emails": (5.1, 0.0, None),
        "Recommended products shown": (1, 0, None),
        "Recommended products bought": (1, 0, None),
        "Revenue attributed to recommendations": (5.1, 0.0, None),
    }
    orders = next(chart for chart in overview.activity if chart.key == "orders")
    assert [series.values for series in orders.series] == [[0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 1, 0, 0]]
    assert [chart.key for chart in overview.activity] == [
        "active-customers",
        "orders",
        "revenue-gbp",
        "revenue-eur",
    ]
    emails = overview.emails[0]
    assert {series.name: series.values[-1] for series in emails.series} == {
        "Sent": 2, "Delivered": 1, "Opened": 1, "Clicked": 1, "Unsubscribed": 0, "Bounced": 1, "Converted": 1,
    }  # fmt: skip
    assert overview.strategy_table.rows == [("popular (Email)", [1, 1, 1, 5.1, 100.0])]
    assert overview.segments.series[0].total == 2
    assert (
        sum(int(values[0] or 0) for _, values in overview.cohorts.rows) == 2
    )  # each buyer in their first month
    page = response.content.decode()
    assert page.count("<canvas") == 9  # activity 4, emails 2, strategies 2, segments 1
    assert page.count("<caption>Totals</caption>") == 3  # where series add up: revenues and segments
    assert "<td>0.43</td><td>0.14</td>" in page
    assert '<td class="analytics-up">+200.0%</td>' in page
    assert f'href="{CSV}{history.query.replace("&", "&amp;")}"' in page


def test_the_csv_holds_every_figure_the_page_shows(admin_client: Client, history: History) -> None:
    response = admin_client.get(CSV + history.query)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="analytics-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["chart", "label", "series", "value"]
    assert ["Totals", "Orders", "This period", "3"] in rows
    assert ["Totals", "Orders", "Previous period", "1"] in rows
    assert ["Totals", "Orders", "Change (%)", "200.0"] in rows
    assert ["Recommendation strategies per channel", "popular (Email)", "Revenue (GBP)", "5.1"] in rows
    titles = {row[0] for row in rows[1:]}
    assert titles == {
        "Totals", "Active customers per day", "Orders per day",
        "Revenue per day, GBP", "Revenue per day, EUR",
        "Campaign emails per day", "Revenue attributed to emails per day",
        "Revenue attributed per recommendation strategy",
        "Conversion rate per recommendation strategy (purchases per 100 shown)",
        "Recommendation strategies per channel",
        "RFM segments: customers with a purchase, scored against each other",
        "Cohort retention: share of each first-purchase month's customers buying n months later (%)",
    }  # fmt: skip


def test_without_data_the_page_says_what_is_missing(admin_client: Client) -> None:
    response = admin_client.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<canvas" not in page
    assert "No campaign has been sent in this period." in page
    assert "No recommendation was shown in this period." in page
    assert "No customer has bought anything yet." in page
    assert "No orders in this period or the one before." in page


def test_a_bad_range_is_refused_in_words(admin_client: Client) -> None:
    backwards = "?first=2011-12-05&last=2011-12-01"

    page, download = admin_client.get(PAGE + backwards), admin_client.get(CSV + backwards)

    assert page.status_code == download.status_code == 400
    assert "The range starts after it ends" in page.content.decode()
    assert "The range starts after it ends" in download.content.decode()
    assert "<canvas" not in page.content.decode()


def test_only_staff_who_may_view_daily_activity_open_it(db: None) -> None:
    clerk = staff("view_customer")

    assert staff("view_dailyactivity").get(PAGE).status_code == 200
    assert clerk.get(PAGE).status_code == 403
    assert clerk.get(CSV).status_code == 403
    assert Client().get(PAGE)["Location"].startswith("/admin/login/")
    assert f'<a href="{PAGE}">Analytics</a>' not in clerk.get("/admin/").content.decode()


def test_the_dashboard_links_to_it(db: None) -> None:
    home = staff("view_dailyactivity").get("/admin/").content.decode()

    assert home.count(f'<a href="{PAGE}">Analytics</a>') == 2  # the dashboard's panel and the app list


def test_the_page_reads_as_many_queries_whatever_the_history(admin_client: Client, history: History) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(PAGE + history.query).status_code == 200
        return len(captured)

    few = queries()
    overview_history(prefix="more-")

    assert queries() == few


def test_each_rfm_segment_links_to_its_customers(admin_client: Client, history: History) -> None:
    page = admin_client.get(PAGE + history.query).content.decode()
    champions = admin_client.get("/admin/analytics/customerengagement/?rfm=champions").content.decode()
    hibernating = admin_client.get("/admin/analytics/customerengagement/?rfm=hibernating").content.decode()

    assert 'href="/admin/analytics/customerengagement/?rfm=champions">Champions (1)</a>' in page
    assert 'href="/admin/analytics/customerengagement/?rfm=hibernating">Hibernating (1)</a>' in page
    assert "ada@example.org" in _rows(champions)  # bought most, most lately
    assert "bob@example.org" not in _rows(champions)
    assert "bob@example.org" in _rows(hibernating)
    assert _rows(admin_client.get("/admin/analytics/customerengagement/?rfm=nonsense").content.decode()) == ""


def _rows(page: str) -> str:
    """The result table's body of an admin list."""
    start = page.find('<table id="result_list">')
    return page[start : page.find("</table>", start)] if start >= 0 else ""
