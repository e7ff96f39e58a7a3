"""Model versions in the admin: Train now (a POST by staff who may change versions) queues one
training; a version's page shows its blend as tables, not JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from recommendations.models import ModelStatus, ModelVersion
from tests.support import BLEND

pytestmark = pytest.mark.django_db

VERSIONS = "/admin/recommendations/modelversion/"
TRAIN = f"{VERSIONS}train/"


@pytest.fixture
def viewer(db: None) -> Client:
    """Staff who may see model versions but not change them."""
    user = get_user_model().objects.create_user("viewer", password="unused-here", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_modelversion"))
    client = Client()
    client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_train_now_queues_one_training_and_says_so(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    listed = admin_client.get(VERSIONS).content.decode()
    with django_capture_on_commit_callbacks() as queued:
        first = admin_client.post(TRAIN, follow=True)
        again = admin_client.post(TRAIN, follow=True)

    version = ModelVersion.objects.get()
    assert f'action="{TRAIN}"' in listed
    assert ">Train now</button>" in listed
    assert version.status == ModelStatus.TRAINING
    assert len(queued) == 1  # on the training queue once the request commits; the repeat adds none
    assert first.redirect_chain == [(VERSIONS, 302)]
    assert messages_of(first) == [
        f"Model v{version.pk} is training on the training queue; it serves when it is ready."
    ]
    assert messages_of(again) == [f"{version} is already waiting or training; not starting another."]


def test_train_now_needs_a_post_with_its_token_and_the_change_permission(
    admin_client: Client, admin_user: Any, viewer: Client
) -> None:
    without_token = Client(enforce_csrf_checks=True)
    without_token.force_login(admin_user)

    assert admin_client.get(TRAIN).status_code == 405
    assert without_token.post(TRAIN).status_code == 403
    assert viewer.post(TRAIN).status_code == 403
    assert "Train now" not in viewer.get(VERSIONS).content.decode()
    assert not ModelVersion.objects.exists()


def test_a_version_page_shows_its_blend_as_tables(admin_client: Client) -> None:
    chosen = ModelVersion.objects.create(status=ModelStatus.READY, blend=BLEND)
    before = ModelVersion.objects.create(status=ModelStatus.READY)

    page = admin_client.get(f"{VERSIONS}{chosen.pk}/change/").content.decode()
    before_blends = admin_client.get(f"{VERSIONS}{before.pk}/change/").content.decode()

    assert f"<p>Chosen on {BLEND['chosen_on']}</p>" in page
    assert f"<p><b>{BLEND['fallback']}</b></p>" in page
    assert "<tr><th>source</th><th>weight</th><th>what it is</th></tr>" in page
    assert "<tr><td>graph</td><td>0.35</td><td>the graph&#x27;s walks</td></tr>" in page
    assert "<tr><td>bought products offered again</td><td>never</td></tr>" in page
    assert "<tr><td>bestsellers counted over</td><td>the last 28 days</td></tr>" in page
    assert "<tr><th>name</th><th>precision</th><th>recall</th><th>ndcg</th></tr>" in page
    assert "<tr><td>blend (chosen)</td><td>0.200</td><td>0.080</td><td>0.150</td></tr>" in page
    assert "repurchase_share" not in page
    assert 'name="blend"' not in page
    assert "None kept with this version: serving uses its default weights and rules." in before_blends


def test_offline_metrics_show_what_each_evaluation_measured(admin_client: Client) -> None:
    earlier = {"recommender": "LightFM hybrid", "precision": 0.028, "recall": 0.028, "ndcg": 0.029,
               "auc": 0.56, "coverage": 0.13, "seconds": 1.2}  # fmt: skip
    now = {"recommender": "blended (served)", "protocol": "again", "precision": 0.076, "recall": 0.086,
           "ndcg": 0.105, "coverage": 0.185, "customers": 71, "seconds": 0.4}  # fmt: skip
    version = ModelVersion.objects.create(
        status=ModelStatus.READY,
        metrics={
            "random": {"description": "25% of pairs held out, seed 1", "rows": [earlier]},
            "time": {"description": "the last 4 weeks", "rows": [now], "blend": BLEND},
        },
    )

    page = admin_client.get(f"{VERSIONS}{version.pk}/change/").content.decode()

    assert "<p><b>random split</b>: 25% of pairs held out, seed 1</p>" in page
    assert (
        "<th>recommender</th><th>precision</th><th>recall</th><th>ndcg</th><th>auc</th><th>coverage</th>"
        in page
    )
    assert (
        "<td>LightFM hybrid</td><td>0.028</td><td>0.028</td><td>0.029</td><td>0.560</td><td>0.130</td></tr>"
        in page
    )
    assert "<th>recommender</th><th>protocol</th><th>precision</th>" in page
    assert "<td>blended (served)</td><td>again</td><td>0.076</td>" in page
    assert "<td>0.185</td><td>71</td></tr>" in page
