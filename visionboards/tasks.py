"""Thin tasks over the vision board services: ids in, one service call."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from marketing_platform.celery import RETRYING, Queues
from visionboards.services import vision_board_refresh, vision_board_render


@shared_task(
    queue=Queues.RENDER, autoretry_for=(OperationalError,), soft_time_limit=120, time_limit=150, **RETRYING
)
def render_vision_board(board_id: int) -> str:
    return vision_board_render(board_id).status


@shared_task(queue=Queues.RENDER, autoretry_for=(OperationalError,), **RETRYING)
def refresh_vision_board(customer_id: int) -> int | None:
    """The board a change in recommendations asked for, once the changes went quiet."""
    board = vision_board_refresh(customer_id)
    return board.pk if board else None
