"""What the analytics reads refuse, each case with a machine-readable code."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_PERIOD = "invalid_period"


class AnalyticsError(Exception):
    """A refusal said so the caller can act on it; ``code`` tells the cases apart."""

    code: ErrorCode


class InvalidPeriod(AnalyticsError):
    """A date range that ends before it starts, or is longer than the figures are read for."""

    code = ErrorCode.INVALID_PERIOD
