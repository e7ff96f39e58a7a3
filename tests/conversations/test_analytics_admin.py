"""The conversations analytics page and its CSV: for staff who may view messages, linked from the
Conversations section; a range chosen or the default one; a bad range refused in words; scripts
from the platform's files only."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from tests.conversations.analytics_data import messages_said
from tests.conversations.conftest import People

PAGE = "/admin/conversations/analytics/"
CSV = "/admin/conversations/analytics.csv"
RANGE = "?first=2011-12-01&last=2011-12-05"


def staff(*codenames: str) -> Client:
    name = "clerk-" + "-".join(codenames)
    user = get_user_model().objects.create_user(name, password="unused-here", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_staff_see_the_three_charts_of_the_range_with_their_figures(
    admin_client: Client, people: People
) -> None:
    messages_said(people)

    response = admin_client.get(PAGE + RANGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert [chart.title for chart in response.context["charts"]] == [
        "Messages per day, by channel",
        "Intents per day",
        "Replies to campaigns, by intent",
    ]
    assert page.count("<canvas") == 3
    assert page.count('<details class="chart-figures">') == 3
    assert "1 Dec 2011 to 5 Dec 2011, 5 days." in page
    assert '<th scope="row">Winter sale</th><td>1</td><td>1</td><td>2</td>' in page
    assert f'href="{CSV}?first=2011-12-01&amp;last=2011-12-05"' in page


def test_the_page_runs_no_inline_script_and_says_so_in_its_policy(
    admin_client: Client, people: People
) -> None:
    messages_said(people)

    response = admin_client.get(PAGE)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts
    assert all(" src=" in tag or 'type="application/json"' in tag for tag in scripts)


def test_without_a_choice_the_page_shows_the_90_days_up_to_the_latest_message(
    admin_client: Client, people: People
) -> None:
    messages_said(people)  # the latest on 6 Dec 2011

    page = admin_client.get(PAGE).content.decode()

    assert "8 Sep 2011 to 6 Dec 2011, 90 days." in page
    assert 'name="first" value="2011-09-08"' in page
    assert "Intents per week" in page


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?first=2011-12-05&last=2011-12-01", "The range starts after it ends"),
        ("?first=yesterday", "Enter a valid date."),
        ("?first=2000-01-01&last=2011-12-01", "Choose at most 731 days; this range has 4353."),
        ("?last=9999-12-31", "Choose days from 1 Jan 1900 to 31 Dec 2999."),
        ("?last=0001-01-05", "Choose days from 1 Jan 1900 to 31 Dec 2999."),
        ("?first=0001-01-01&last=0001-01-02", "Choose days from 1 Jan 1900 to 31 Dec 2999."),
    ],
)
def test_a_bad_range_is_refused_in_words(
    admin_client: Client, people: People, query: str, problem: str
) -> None:
    page = admin_client.get(PAGE + query)
    download = admin_client.get(CSV + query)

    assert page.status_code == download.status_code == 400
    assert problem in page.content.decode()
    assert "<canvas" not in page.content.decode()
    assert problem in download.content.decode()


def test_the_csv_holds_the_figures_of_the_charts(admin_client: Client, people: People) -> None:
    messages_said(people)

    response = admin_client.get(CSV + RANGE)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="conversations-2011-12-01-2011-12-05.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["chart", "label", "series", "value"]
    assert ["Messages per day, by channel", "5 Dec 2011", "Web form", "1"] in rows
    assert ["Intents per day", "2 Dec 2011", "No intent", "1"] in rows
    assert ["Replies to campaigns, by intent", "Spring preview", "Complaint", "0"] in rows
    per_chart = {title: sum(int(row[3]) for row in rows[1:] if row[0] == title) for title, *_ in rows[1:]}
    assert per_chart == {
        "Messages per day, by channel": 4,
        "Intents per day": 4,
        "Replies to campaigns, by intent": 3,
    }


def test_only_staff_who_may_view_messages_open_it(people: People) -> None:
    messages_said(people)
    anonymous = Client()

    clerk = staff("view_customer")

    assert staff("view_message").get(PAGE).status_code == 200
    assert clerk.get(PAGE).status_code == 403
    assert clerk.get(CSV).status_code == 403
    assert anonymous.get(PAGE)["Location"].startswith("/admin/login/")
    assert anonymous.get(CSV)["Location"].startswith("/admin/login/")


def test_the_conversations_section_and_the_messages_list_link_to_it(people: People) -> None:
    clerk = staff("view_message")

    home = clerk.get("/admin/").content.decode()
    section = clerk.get("/admin/conversations/").content.decode()
    messages = clerk.get("/admin/conversations/message/").content.decode()

    assert f'<a href="{PAGE}">Analytics</a>' in home
    assert f'<a href="{PAGE}">Analytics</a>' in section
    assert f'<a href="{PAGE}">Analytics</a>' in messages


def test_staff_who_may_not_view_messages_get_no_link(people: People) -> None:
    clerk = staff("view_intent")

    assert PAGE not in clerk.get("/admin/").content.decode()
