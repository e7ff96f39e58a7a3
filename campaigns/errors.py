"""What the campaign services refuse, each case with a machine-readable code."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_READY = "campaign_not_ready"
    LOCKED = "campaign_locked"
    SEGMENT_UNAVAILABLE = "segment_unavailable"


class CampaignError(Exception):
    """A refusal said so staff can act on it; ``code`` tells the cases apart."""

    code: ErrorCode


class CampaignNotReady(CampaignError):
    """A campaign that cannot make this move as it stands, with what to fix."""

    code = ErrorCode.NOT_READY


class CampaignLocked(CampaignError):
    """What a campaign sends and to whom cannot change once it started sending."""

    code = ErrorCode.LOCKED


class SegmentUnavailable(CampaignNotReady):
    """Who a segment holds cannot be told now: its "talks about" rule needs the message search
    (the embedder and the vector store), which is down. Transient: ask again later."""

    code = ErrorCode.SEGMENT_UNAVAILABLE
