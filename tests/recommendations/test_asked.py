"""More like this, as pure functions: products that read like the asked one, and products its
buyers bought, come up; neither the asked product nor an unrelated one."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from customers.ownership import Acquisition
from recommendations.asked import asked_candidates
from recommendations.blending import Shopper
from recommendations.content import ContentIndex
from recommendations.neighbours import neighbourhood_of

AT = datetime(2011, 12, 1, tzinfo=UTC)
INDEX = ContentIndex.of(
    [
        (1, "RED STAR LANTERN", "red star lantern"),
        (2, "GREEN STAR LANTERN", "green star lantern"),
        (3, "TEA TOWEL", "tea towel kitchen"),
        (4, "PAPER NAPKINS", "paper napkins party"),
        (5, "BIRTHDAY CARD", "birthday card"),
    ]
)


def test_products_that_read_like_it_or_are_bought_with_it_come_up_with_the_reason() -> None:
    # customers 10 and 11 bought the red lantern and the tea towel; 12 napkins and the card
    bought = [(10, 1), (10, 3), (11, 1), (11, 3), (12, 4), (12, 5)]
    neighbourhood = neighbourhood_of([Acquisition(c, p, f"o{c}", 1, AT) for c, p in bought], None)
    shopper = Shopper(99, Counter(), has_events=True, interests=[], more_like_this=(1,))

    found = asked_candidates([shopper], INDEX, neighbourhood)[99]

    assert set(found.product_ids) == {2, 3}
    assert set(found.reasons) == {"More like RED STAR LANTERN, as you asked"}
    assert set(found.strategies) == {"more_like_this"}


def test_without_a_neighbourhood_text_alone_answers_and_nobody_asking_gets_nothing() -> None:
    asking = Shopper(1, Counter(), has_events=False, interests=[], more_like_this=(2,))
    quiet = Shopper(2, Counter(), has_events=False, interests=[])

    found = asked_candidates([asking, quiet], INDEX, None)

    assert list(found) == [1]
    assert found[1].product_ids == [1]
