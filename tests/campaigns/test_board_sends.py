"""A campaign whose template shows the vision board draws the boards its recipients lack
before their emails are rendered: every email carries its recipient's board."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from campaigns.models import Campaign, EmailTemplate, Send, SendStatus
from campaigns.services.lifecycle import campaign_send_now
from campaigns.services.runs import BOARD_BATCH, campaign_run_start
from campaigns.services.sending import sends_deliver, sends_render
from customers.models import Customer
from recommendations.cache import recommendations_invalidate
from tests.factories import Store, make_reachable, scheduled_campaign
from tests.support import WorkerStarter
from tests.waiting import wait_for
from visionboards.models import BoardStatus, VisionBoard

RECIPIENTS = 3
WITH_BOARD = "{{ greeting() }}<p>Your picks, all on one page:</p>{{ vision_board_image() }}"
WITHOUT_BOARD = "{{ greeting() }}{{ products(limit=2) }}"


@pytest.fixture
def audience(trained: Store) -> list[Customer]:
    return make_reachable(Customer.objects.order_by("pk")[:RECIPIENTS])


def send_all(campaign: Campaign, occurrence: str, capture: Any) -> list[Send]:
    with capture(execute=False):  # the tasks' work, done here in order
        run = campaign_run_start(campaign_id=campaign.pk, occurrence=occurrence)
    assert run is not None
    sends_deliver(sends_render(list(run.sends.values_list("pk", flat=True))))
    return list(run.sends.select_related("customer").order_by("pk"))


def test_each_recipient_gets_a_board_drawn_before_the_email(
    audience: list[Customer], django_capture_on_commit_callbacks: Any
) -> None:
    # given: nobody has a board yet
    assert not VisionBoard.objects.exists()

    # when
    sends = send_all(
        scheduled_campaign("Boards", html_body=WITH_BOARD), "1", django_capture_on_commit_callbacks
    )

    # then: one ready board per recipient, and its picture in that recipient's email
    assert [send.status for send in sends] == [SendStatus.SENT] * RECIPIENTS
    boards = {board.customer_id: board for board in VisionBoard.objects.filter(status=BoardStatus.READY)}
    assert set(boards) == {customer.pk for customer in audience}
    for send in sends:
        picture = boards[send.customer_id].social_image.name
        assert picture in send.html
        assert "Your vision board: " in send.html
        assert "Your vision board: " in send.text
    assert len(mail.outbox) == RECIPIENTS


def test_fresh_boards_are_used_again_and_a_template_without_one_draws_none(
    audience: list[Customer], django_capture_on_commit_callbacks: Any
) -> None:
    send_all(scheduled_campaign("Plain", html_body=WITHOUT_BOARD), "1", django_capture_on_commit_callbacks)
    assert not VisionBoard.objects.exists()

    send_all(scheduled_campaign("First", html_body=WITH_BOARD), "1", django_capture_on_commit_callbacks)
    send_all(scheduled_campaign("Second", html_body=WITH_BOARD), "1", django_capture_on_commit_callbacks)

    assert VisionBoard.objects.count() == RECIPIENTS  # the second campaign found them fresh

    recommendations_invalidate([audience[0].pk])  # a purchase, say: that board is out of date
    send_all(scheduled_campaign("Third", html_body=WITH_BOARD), "1", django_capture_on_commit_callbacks)

    ready = VisionBoard.objects.filter(status=BoardStatus.READY).order_by("customer_id", "version")
    assert list(ready.values_list("customer_id", "version")) == [
        (audience[0].pk, 1), (audience[0].pk, 2), (audience[1].pk, 1), (audience[2].pk, 1),
    ]  # fmt: skip


def test_a_board_promised_in_the_subject_alone_is_drawn_before_the_email(
    audience: list[Customer], django_capture_on_commit_callbacks: Any
) -> None:
    # given: a template whose subject alone speaks of the board
    campaign = scheduled_campaign("Subject", html_body=WITHOUT_BOARD)
    EmailTemplate.objects.filter(name="Subject template").update(
        subject="{% if vision_board %}Your vision board is ready{% else %}Your picks{% endif %}"
    )

    # when
    sends = send_all(campaign, "1", django_capture_on_commit_callbacks)

    # then: every recipient has a board, and the subject keeps its promise
    assert VisionBoard.objects.filter(status=BoardStatus.READY).count() == RECIPIENTS
    assert {message.subject for message in mail.outbox} == {"Your vision board is ready"}
    assert len(sends) == RECIPIENTS


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_draws_the_boards_then_sends_every_email(
    trained: Store, celery_worker: WorkerStarter
) -> None:
    # given: a dozen recipients without boards: two render tasks of ``BOARD_BATCH`` sends and one more
    audience = make_reachable(Customer.objects.order_by("pk")[: BOARD_BATCH + 2])
    campaign = scheduled_campaign("Boards", html_body=WITH_BOARD)
    sent = Send.objects.filter(run__campaign=campaign, status=SendStatus.SENT)

    # when: staff press "Send now" and a real worker does the rest
    with celery_worker():
        campaign_send_now(campaign_id=campaign.pk)
        assert wait_for(lambda: sent.count() == len(audience)), "the worker never sent every email"

    # then
    boards = {board.customer_id: board for board in VisionBoard.objects.filter(status=BoardStatus.READY)}
    assert set(boards) == {customer.pk for customer in audience}
    for send in sent:
        assert boards[send.customer_id].social_image.name in send.html


def test_an_email_whose_board_cannot_be_drawn_goes_without_it(
    audience: list[Customer], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("visionboards.services.compose", broken)  # drawing fails, as a full disk would

    sends = send_all(
        scheduled_campaign("Boards", html_body=WITH_BOARD), "1", django_capture_on_commit_callbacks
    )

    assert [send.status for send in sends] == [SendStatus.SENT] * RECIPIENTS
    assert set(VisionBoard.objects.values_list("status", "error")) == {(BoardStatus.FAILED, "disk full")}
    assert all("Your picks, all on one page:" in send.html for send in sends)
    assert not any("Your vision board: " in send.html for send in sends)
