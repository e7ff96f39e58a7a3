"""The campaign's change page as staff use it: lifecycle buttons, what is fixed once it
sends, the results with the comparison, and the vision-board warning before a send."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.errors import CampaignLocked
from campaigns.models import (
    Campaign,
    CampaignState,
    EmailTemplate,
    Segment,
    Send,
    SendStatus,
)
from campaigns.services.content import campaign_save, campaign_variants_save, email_template_save
from campaigns.services.lifecycle import campaign_send_now
from tests.factories import ab_campaign

BOARD_BODY = "{{ greeting() }}{{ vision_board_image() }}{{ products() }}"


@pytest.fixture
def draft(db: None) -> Campaign:
    return ab_campaign(customers=40, shares={"A": 50, "B": 50})


def start(campaign: Campaign, capture: Any) -> None:
    """Press "Send now" (the tasks it queues are left unqueued)."""
    with capture(execute=False):
        campaign_send_now(campaign_id=campaign.pk)


def page(client: Client, campaign: Campaign) -> str:
    return client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()


def move(client: Client, campaign: Campaign, name: str) -> str:
    """Press a button of the change page; the page it lands on."""
    response = client.post(f"/admin/campaigns/campaign/{campaign.pk}/move/{name}/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def messages(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<li class="(?:success|error)">(.*?)</li>', html)
    ]


def edit_form(campaign: Campaign, **changes: Any) -> dict[str, Any]:
    """The change form as the page posts it, with the variants as they are."""
    variants = list(campaign.variants.order_by("label"))
    form: dict[str, Any] = {
        "name": campaign.name, "segment": campaign.segment_id, "send_at_0": "", "send_at_1": "", "repeat": "",
        "emails_per_second": 50, "winner_metric": "clicks", "variants-TOTAL_FORMS": len(variants),
        "variants-INITIAL_FORMS": len(variants), "variants-MIN_NUM_FORMS": 1, "variants-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for index, variant in enumerate(variants):
        form |= {f"variants-{index}-id": variant.pk, f"variants-{index}-campaign": campaign.pk,
                 f"variants-{index}-label": variant.label, f"variants-{index}-template": variant.template_id,
                 f"variants-{index}-share": variant.share}  # fmt: skip
    return form | changes


def test_the_buttons_move_the_campaign_and_say_what_happened(admin_client: Client, draft: Campaign) -> None:
    shown = page(admin_client, draft)
    refused = move(admin_client, draft, "schedule")
    draft.send_at = timezone.now() + timedelta(days=1)
    draft.save()
    scheduled = move(admin_client, draft, "schedule")
    again = move(admin_client, draft, "schedule")  # a double click
    paused = move(admin_client, draft, "pause")

    assert re.findall(r'data-move="(\w+)"', shown) == ["schedule", "send_now", "cancel"]
    assert messages(refused) == ["Autumn: Give it a send time or a repeat schedule first."]
    assert messages(scheduled)[0].startswith("Autumn: scheduled for ")
    assert messages(again) == messages(scheduled)
    assert messages(paused) == ["Autumn: paused."]
    assert re.findall(r'data-move="(\w+)"', paused) == ["schedule", "cancel"]
    assert ">Resume</button>" in paused
    assert admin_client.get(f"/admin/campaigns/campaign/{draft.pk}/move/pause/").status_code == 405
    assert admin_client.post(f"/admin/campaigns/campaign/{draft.pk}/move/explode/").status_code == 404


def test_the_buttons_need_the_csrf_token(draft: Campaign) -> None:
    from django.contrib.auth import get_user_model

    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.create_superuser("boss", password="unused-here"))

    response = client.post(f"/admin/campaigns/campaign/{draft.pk}/move/send_now/")

    assert response.status_code == 403
    assert Campaign.objects.get(pk=draft.pk).state == CampaignState.DRAFT


def test_send_now_twice_sends_once(
    admin_client: Client, draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        first = move(admin_client, draft, "send_now")
        second = move(admin_client, draft, "send_now")

    assert messages(first) == messages(second) == ["Autumn: sending."]
    assert draft.runs.count() == 1
    assert Send.objects.filter(run__campaign=draft).count() == 40


def test_before_it_sends_the_admin_changes_segment_and_shares(admin_client: Client, draft: Campaign) -> None:
    other = Segment.objects.create(name="others")

    response = admin_client.post(
        f"/admin/campaigns/campaign/{draft.pk}/change/",
        edit_form(draft, segment=other.pk, **{"variants-0-share": 70, "variants-1-share": 30}),
    )

    assert response.status_code == 302
    assert Campaign.objects.get(pk=draft.pk).segment_id == other.pk
    assert list(draft.variants.order_by("label").values_list("share", flat=True)) == [70, 30]


def test_once_it_sends_segment_and_variants_are_read_only_in_the_admin(
    admin_client: Client, draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a campaign that started sending, and another segment and template
    start(draft, django_capture_on_commit_callbacks)
    other = Segment.objects.create(name="others")
    template = EmailTemplate.objects.create(name="Other", subject="x", html_body="<p>x</p>")

    # when: the page is shown and a crafted POST tries to change them anyway
    shown = page(admin_client, draft)
    response = admin_client.post(
        f"/admin/campaigns/campaign/{draft.pk}/change/",
        edit_form(draft, segment=other.pk, name="Autumn (renamed)",
                  **{"variants-0-share": 90, "variants-1-share": 10, "variants-1-template": template.pk}),
    )  # fmt: skip

    # then: neither can be edited; what may change (the name) did
    assert 'name="segment"' not in shown
    assert 'name="variants-0-share"' not in shown
    assert 'name="variants-MAX_NUM_FORMS" value="0"' in shown  # no variant can be added
    assert response.status_code == 302
    stored = Campaign.objects.get(pk=draft.pk)
    assert (stored.name, stored.segment_id, stored.state) == ("Autumn (renamed)", draft.segment_id, "sending")
    assert list(draft.variants.order_by("label").values_list("share", "template__name")) == [
        (50, "Autumn A"), (50, "Autumn B"),
    ]  # fmt: skip


def test_a_change_that_races_the_start_is_refused_with_a_message(
    admin_client: Client, draft: Campaign, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    # given: the form was built while the campaign was a draft; it started sending meanwhile
    start(draft, django_capture_on_commit_callbacks)
    monkeypatch.setattr("campaigns.admin._started", lambda campaign: False)  # the page's earlier view
    other = Segment.objects.create(name="others")

    # when
    response = admin_client.post(
        f"/admin/campaigns/campaign/{draft.pk}/change/", edit_form(draft, segment=other.pk), follow=True
    )

    # then
    assert messages(response.content.decode()) == [
        "Autumn started sending: its segment can no longer change."
    ]
    assert Campaign.objects.get(pk=draft.pk).segment_id == draft.segment_id


def test_once_it_sends_the_services_refuse_to_change_what_it_sends(
    draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    start(draft, django_capture_on_commit_callbacks)
    campaign = Campaign.objects.get(pk=draft.pk)
    variant = campaign.variants.get(label="A")

    campaign_save(campaign=campaign)  # the same segment again: no change, no refusal
    campaign_variants_save(campaign_id=campaign.pk, changed=[variant])
    campaign.segment = Segment.objects.create(name="others")
    with pytest.raises(CampaignLocked, match="Autumn started sending: its segment can no longer change"):
        campaign_save(campaign=campaign)
    variant.share = 90
    with pytest.raises(CampaignLocked, match=r"its variants \(templates and shares\) can no longer change"):
        campaign_variants_save(campaign_id=campaign.pk, changed=[variant])
    with pytest.raises(CampaignLocked) as removing:
        campaign_variants_save(
            campaign_id=campaign.pk, changed=[], deleted=[campaign.variants.get(label="B")]
        )

    assert removing.value.code == "campaign_locked"
    assert Campaign.objects.get(pk=draft.pk).segment.name == "all"
    assert list(campaign.variants.values_list("label", "share")) == [("A", 50), ("B", 50)]


def test_the_page_shows_results_per_variant_and_the_comparison(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    # enough recipients that either variant, whichever customers it gets, has enough data for the test
    draft = ab_campaign(customers=100, shares={"A": 50, "B": 50})
    start(draft, django_capture_on_commit_callbacks)
    sends = Send.objects.filter(run__campaign=draft)
    now = timezone.now()
    sends.update(status=SendStatus.SENT, sent_at=now, delivered_at=now)
    early = page(admin_client, draft)
    for label, clicks in (("A", 5), ("B", 30)):
        ids = list(sends.filter(variant__label=label).values_list("pk", flat=True)[:clicks])
        Send.objects.filter(pk__in=ids).update(opened_at=now, clicked_at=now)

    later = page(admin_client, draft)

    assert "Not enough data yet to compare the click rates (two-proportion z-test)." in early
    assert "★ leading" not in early
    assert re.search(r"B leads on click rate, \d+(\.\d)? % confidence \(two-proportion z-test\)", later)
    assert re.search(r"<td>B ★ leading</td>", later)
    for column in ("Sent", "Delivered", "Opened", "Clicked", "Unsubscribed", "Bounced or complained"):
        assert f'<th scope="col">{column}</th>' in later


def test_the_page_warns_of_recipients_without_a_vision_board(admin_client: Client, draft: Campaign) -> None:
    plain = page(admin_client, draft)
    EmailTemplate.objects.filter(name="Autumn B").update(html_body=BOARD_BODY)

    warned = page(admin_client, draft)

    assert "vision board" not in plain
    found = re.search(r"Variant B shows a vision board\. (\d+) of (\d+) recipients have no board yet", warned)
    assert found
    assert found.group(1) == found.group(2)
    assert 0 < int(found.group(2)) < 40  # B's half of the segment, split as the send will


def test_the_campaign_list_costs_the_same_queries_for_few_or_many_campaigns(
    admin_client: Client, draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            listed = admin_client.get("/admin/campaigns/campaign/")
        assert listed.status_code == 200
        return len(captured)

    start(draft, django_capture_on_commit_callbacks)
    Send.objects.update(status=SendStatus.SENT)
    one = queries()
    for index in range(5):
        Campaign.objects.create(name=f"Winter {index}", segment=draft.segment)

    assert queries() == one
    assert (
        '<td class="field-sent_count">40</td>'
        in admin_client.get("/admin/campaigns/campaign/").content.decode()
    )


def template_form(template: EmailTemplate, **changes: Any) -> dict[str, Any]:
    fields = ("name", "language", "subject", "preheader", "html_body", "text_body")
    return {name: getattr(template, name) for name in fields} | changes


def test_a_template_a_campaign_sent_with_keeps_its_content_and_can_be_saved_as_new(
    admin_client: Client, draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a campaign started sending with "Autumn A"
    start(draft, django_capture_on_commit_callbacks)
    template = EmailTemplate.objects.get(name="Autumn A")
    url = f"/admin/campaigns/emailtemplate/{template.pk}/change/"

    # when: staff edit its body, then only its name, then save the edit as a new template
    edited = admin_client.post(url, template_form(template, html_body="<p>changed</p>"))
    renamed = admin_client.post(url, template_form(template, name="Autumn A (sent)"))
    copied = admin_client.post(url, template_form(template, name="Winter A", html_body="<p>changed</p>",
                                                  _saveasnew="Save as new"))  # fmt: skip

    # then
    assert edited.status_code == 200
    assert "Campaigns started sending with this template (“Autumn”): its content can no longer change." in (
        edited.content.decode()
    )
    assert (renamed.status_code, copied.status_code) == (302, 302)
    assert EmailTemplate.objects.get(pk=template.pk).html_body == "<p>hi</p>"
    assert EmailTemplate.objects.get(pk=template.pk).name == "Autumn A (sent)"
    assert EmailTemplate.objects.get(name="Winter A").html_body == "<p>changed</p>"
    template.subject = "Changed"
    with pytest.raises(CampaignLocked, match="Save it as a new template instead"):
        email_template_save(template=template)
    assert EmailTemplate.objects.get(name="Autumn B").subject == "B"


def test_a_campaign_that_started_sending_cannot_be_deleted_with_its_results(
    admin_client: Client, draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a campaign that started sending and a draft beside it
    start(draft, django_capture_on_commit_callbacks)
    other = Campaign.objects.create(name="Other draft", segment=draft.segment)

    def delete(*campaigns: Campaign) -> str:
        selected = {"action": "delete_selected", "_selected_action": [c.pk for c in campaigns], "post": "yes"}
        return admin_client.post("/admin/campaigns/campaign/", selected, follow=True).content.decode()

    # when: staff open its delete page, delete both from the list, then the draft alone
    page_status = admin_client.get(f"/admin/campaigns/campaign/{draft.pk}/delete/").status_code
    both = delete(draft, other)
    kept = sorted(Campaign.objects.values_list("name", flat=True))
    delete(other)

    # then: the started one and its sends stay, the page says why, and the draft can go
    assert page_status == 403
    assert "permission to delete" in both
    assert kept == ["Autumn", "Other draft"]
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Autumn"]
    assert Send.objects.filter(run__campaign=draft).count() == 40
