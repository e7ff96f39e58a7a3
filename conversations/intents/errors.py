"""What the intent services refuse, each case with a machine-readable code."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    TAKEN = "intent_taken"
    INACTIVE = "intent_inactive"


class IntentError(Exception):
    """A refusal said so staff can act on it; ``code`` tells the cases apart, ``field`` names the input."""

    code: ErrorCode
    field: str


class IntentTaken(IntentError):
    """Another intent has this name or slug."""

    code = ErrorCode.TAKEN
    field = "name"


class IntentInactive(IntentError):
    """Messages are given active intents only."""

    code = ErrorCode.INACTIVE
    field = "intent"
