"""What a campaign sends and to whom: its segment, its variants (template and share) and
those templates' content, editable until it starts sending and fixed from then on, so that
every recipient of a variant got the same email and the results compare like with like."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction

from campaigns.errors import CampaignLocked
from campaigns.models import Campaign, CampaignVariant, EmailTemplate
from campaigns.selectors import campaign_started, template_started_campaigns

EDITABLE = ("name", "segment", "send_at", "emails_per_second", "winner_metric")  # not the state
CONTENT = ("subject", "preheader", "html_body", "text_body", "language")  # what an email is made from


def campaign_save(*, campaign: Campaign) -> Campaign:
    """Store the fields staff edit (never the state, which the lifecycle moves meanwhile).
    A new segment is refused once the campaign started sending (``CampaignLocked``); the
    same one again is no change."""
    with transaction.atomic():
        if campaign._state.adding:
            campaign.save()
            return campaign
        stored = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.segment_id != stored.segment_id and campaign_started(stored):
            raise CampaignLocked(f"{stored} started sending: its segment can no longer change.")
        campaign.save(update_fields=[*EDITABLE, "updated_at"])
    return campaign


def campaign_variants_save(
    *, campaign_id: int, changed: Sequence[CampaignVariant], deleted: Sequence[CampaignVariant] = ()
) -> None:
    """Add or change the ``changed`` variants and remove the ``deleted`` ones. Refused once
    the campaign started sending (``CampaignLocked``), unless nothing actually changes (a
    retried request)."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        changed = [variant for variant in changed if _differs(variant)]
        deleted = [variant for variant in deleted if variant.pk is not None]
        if (changed or deleted) and campaign_started(campaign):
            raise CampaignLocked(
                f"{campaign} started sending: its variants (templates and shares) can no longer change."
            )
        for variant in deleted:
            variant.delete()
        for variant in changed:
            variant.campaign = campaign
            variant.save()


def _differs(variant: CampaignVariant) -> bool:
    if variant.pk is None:
        return True
    stored = CampaignVariant.objects.filter(pk=variant.pk).values("label", "template_id", "share").first()
    return stored != {"label": variant.label, "template_id": variant.template_id, "share": variant.share}


def email_template_check(*, template_id: int, changed: Iterable[str]) -> None:
    """Refuse (``CampaignLocked``) a change to the content of a template a campaign started
    sending with; its name and who may request it may still change."""
    if not set(changed) & set(CONTENT):
        return
    started = template_started_campaigns(template_id)
    if started:
        names = ", ".join(f"“{name}”" for name in started)
        raise CampaignLocked(
            f"Campaigns started sending with this template ({names}): its content can no longer change. "
            "Save it as a new template instead."
        )


def email_template_save(*, template: EmailTemplate) -> EmailTemplate:
    """Store a template as edited; its content is checked against the stored row (locked)."""
    with transaction.atomic():
        if not template._state.adding:
            stored = EmailTemplate.objects.select_for_update().get(pk=template.pk)
            changed = [name for name in CONTENT if getattr(stored, name) != getattr(template, name)]
            email_template_check(template_id=template.pk, changed=changed)
        template.save()
    return template
