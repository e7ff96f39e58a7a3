"""The admin's home page is a dashboard: who can be reached, how the last campaigns did, which
model serves and whether the graph answers; each panel links to its page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from model_bakery import baker

from campaigns.models import CampaignRun, Send, SendStatus, Suppression, SuppressionReason
from customers.models import Customer
from graph.models import GraphChange
from marketing_platform.dashboard import CAMPAIGNS_SHOWN
from recommendations.models import ModelStatus, ModelVersion
from tests.factories import make_reachable, scheduled_campaign

pytestmark = pytest.mark.django_db

TRAINED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def campaign_with_sends(name: str, customers: list[Customer], *, opened: int, clicked: int) -> None:
    """A campaign whose one run sent to these customers; the first ``opened`` opened it, the first
    ``clicked`` clicked."""
    campaign = scheduled_campaign(name)
    run = CampaignRun.objects.create(campaign=campaign, occurrence="once", recipients=len(customers))
    variant = campaign.variants.get()
    now = timezone.now()
    for index, customer in enumerate(customers):
        Send.objects.create(
            run=run, customer=customer, variant=variant, status=SendStatus.SENT, sent_at=now,
            opened_at=now if index < opened else None, clicked_at=now if index < clicked else None,
        )  # fmt: skip


def reachable_customers(prefix: str, count: int) -> list[Customer]:
    ids = (f"{prefix}-{index}" for index in range(count))
    return make_reachable(baker.make(Customer, _quantity=count, external_id=ids))


@pytest.mark.usefixtures("graph")
def test_the_dashboard_shows_the_shops_figures(admin_client: Client) -> None:
    # given four customers, three with an address and consent, one of those suppressed
    reachable = reachable_customers("shop", 3)
    baker.make(Customer, external_id="no-consent", email="quiet@example.org")
    suppressed = f"{reachable[2].external_id}@example.org"
    Suppression.objects.create(email=suppressed, reason=SuppressionReason.BOUNCED)
    campaign_with_sends("Spring sale", reachable[:2], opened=2, clicked=1)
    ModelVersion.objects.create(
        status=ModelStatus.READY, active=True, finished_at=TRAINED_AT,
        data={"customers": 4_338, "products": 3_665, "interactions": 397_884},
    )  # fmt: skip

    # when staff open the admin
    response = admin_client.get("/admin/")
    page = response.content.decode()
    panels = response.context["panels"]

    # then each figure is the shop's, and each panel links to its page
    assert (panels["audience"].customers, panels["audience"].reachable) == (4, 2)
    [spring] = panels["campaigns"]
    assert (spring.campaign.name, spring.sent, spring.opened, spring.clicked) == ("Spring sale", 2, 2, 1)
    assert "2 (100.0%)" in page
    assert "1 (50.0%)" in page
    assert panels["model"] == (
        f"Model v{ModelVersion.objects.get().pk} serves recommendations, trained 1 Dec 2026, 09:30 "
        "on 4,338 customers, 3,665 products, 397,884 interactions."
    )
    assert panels["graph"].reachable
    waiting = GraphChange.objects.count()  # the customers' saves, not yet drained into the graph
    assert panels["graph"].waiting == waiting > 0
    assert panels["graph"].counts["Customer"] == 0
    assert f"{waiting} changes waiting to reach it" in page
    for page_of_panel in (
        "/admin/customers/customer/", "/admin/campaigns/segment/", "/admin/campaigns/campaign/",
        "/admin/recommendations/modelversion/", "/admin/graph/graphchange/",
    ):  # fmt: skip
        assert f'href="{page_of_panel}"' in page


@pytest.mark.usefixtures("graph")
def test_without_a_model_or_campaigns_the_dashboard_says_what_to_do(admin_client: Client) -> None:
    page = admin_client.get("/admin/").content.decode()

    assert "No model yet: train one." in page
    assert 'No campaigns yet: <a href="/admin/campaigns/campaign/add/">create one</a>.' in page


@pytest.mark.usefixtures("graph_down")
def test_the_dashboard_says_when_the_graph_is_unreachable(admin_client: Client) -> None:
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert not response.context["panels"]["graph"].reachable
    assert "Unreachable</span>:" in response.content.decode()


@pytest.mark.usefixtures("graph")
def test_staff_see_only_the_panels_of_what_they_may_view(db: None) -> None:
    user = get_user_model().objects.create_user("clerk", password="unused-here", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client = Client()
    client.force_login(user)

    response = client.get("/admin/")

    assert set(response.context["panels"]) == {"audience"}
    assert "Last campaigns" not in response.content.decode()


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/").status_code == 200
    return len(captured)


@pytest.mark.usefixtures("graph")
def test_the_dashboard_costs_the_same_queries_for_a_small_or_a_large_shop(admin_client: Client) -> None:
    few = reachable_customers("few", 2)
    for index in range(CAMPAIGNS_SHOWN):
        campaign_with_sends(f"small {index}", few, opened=1, clicked=0)
    small = _queries(admin_client)

    many = few + reachable_customers("many", 40)
    for index in range(CAMPAIGNS_SHOWN * 2):
        campaign_with_sends(f"large {index}", many, opened=5, clicked=2)
    large = _queries(admin_client)

    assert large == small
