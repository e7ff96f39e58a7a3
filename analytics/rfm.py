"""RFM scores and the named segments they fall into.

Each score is the customer's quintile among every customer with a purchase (5 is best), from
the percent rank of their last purchase (recency), their orders (frequency) and their net
spend (monetary): ``min(5, 1 + floor(5 × percent_rank))``, so ties share a score.

Segments follow the widely used ten-segment recency × frequency grid of RFM analysis (its
segment names are those of Putler's RFM segmentation guide, putler.com/rfm-analysis, which most
open RFM notebooks encode as this grid); monetary value is scored but names no segment:

    R \\ F   1      2      3      4      5
    5     New   Pot.L  Pot.L  Champ  Champ
    4     Prom  Pot.L  Pot.L  Loyal  Loyal
    3     Sleep Sleep  Need   Loyal  Loyal
    2     Hib   Hib    Risk   Risk   Can't
    1     Hib   Hib    Risk   Risk   Can't
"""

from __future__ import annotations

from enum import StrEnum


class RfmSegment(StrEnum):
    CHAMPIONS = "Champions"
    LOYAL = "Loyal customers"
    POTENTIAL_LOYALISTS = "Potential loyalists"
    NEW = "New customers"
    PROMISING = "Promising"
    NEED_ATTENTION = "Need attention"
    ABOUT_TO_SLEEP = "About to sleep"
    AT_RISK = "At risk"
    CANNOT_LOSE = "Can't lose them"
    HIBERNATING = "Hibernating"


# (recency scores, frequency scores) → segment; the cells cover every pair once.
GRID: list[tuple[range, range, RfmSegment]] = [
    (range(5, 6), range(4, 6), RfmSegment.CHAMPIONS),
    (range(3, 5), range(4, 6), RfmSegment.LOYAL),
    (range(4, 6), range(2, 4), RfmSegment.POTENTIAL_LOYALISTS),
    (range(5, 6), range(1, 2), RfmSegment.NEW),
    (range(4, 5), range(1, 2), RfmSegment.PROMISING),
    (range(3, 4), range(3, 4), RfmSegment.NEED_ATTENTION),
    (range(3, 4), range(1, 3), RfmSegment.ABOUT_TO_SLEEP),
    (range(1, 3), range(3, 5), RfmSegment.AT_RISK),
    (range(1, 3), range(5, 6), RfmSegment.CANNOT_LOSE),
    (range(1, 3), range(1, 3), RfmSegment.HIBERNATING),
]


def rfm_segment(recency: int, frequency: int) -> RfmSegment:
    return next(segment for r, f, segment in GRID if recency in r and frequency in f)


def quintile(below: int, of: int) -> int:
    """The score of a value with ``below`` values under it among ``of`` (SQL's percent rank)."""
    rank = below / (of - 1) if of > 1 else 0.0
    return min(5, 1 + int(rank * 5))
