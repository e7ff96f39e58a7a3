"""Which variant of a campaign a customer gets: by share, and the same every time."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from campaigns.models import CampaignVariant


def variant_of(customer_id: int, campaign_id: int, variants: Sequence[CampaignVariant]) -> CampaignVariant:
    """A stable split: the same customer lands in the same variant of a campaign every time
    (``variants`` in label order, shares adding up to 100)."""
    bucket = int(hashlib.sha256(f"{campaign_id}:{customer_id}".encode()).hexdigest()[:8], 16) % 100
    upper = 0
    for variant in variants:
        upper += variant.share
        if bucket < upper:
            return variant
    return variants[-1]
