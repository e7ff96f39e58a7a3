"""Recording an API answer's impressions never refuses the answer: a product deleted since a
cached answer named it is left out of the record."""

from __future__ import annotations

import pytest
from model_bakery import baker

from analytics.attribution_models import Channel, Impression
from analytics.impressions import impressions_record
from catalog.models import Product
from customers.models import Customer
from recommendations.signals import Shown


@pytest.mark.django_db(transaction=True)
def test_a_product_deleted_since_the_answer_was_cached_is_left_out_of_the_record() -> None:
    # given: an answer cached before one of its products was deleted
    customer, kept, gone = baker.make(Customer), baker.make(Product), baker.make(Product)
    gone_id = gone.pk
    gone.delete()

    # when
    impressions_record(
        channel=Channel.API, shown=[Shown(customer.pk, ((kept.pk, "popular"), (gone_id, "content")))]
    )

    # then
    assert list(Impression.objects.values_list("product_id", "strategy", "position")) == [
        (kept.pk, "popular", 1)
    ]
