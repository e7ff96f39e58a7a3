"""Email templates, segments, campaigns and the one ``Send`` row per campaign run and customer."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from catalog.models import Category
from customers.models import Customer, Interest


class StaffAuthored(models.Model):
    """What marketing staff name and edit in the admin: a unique name and when it changed."""

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmailTemplate(StaffAuthored):
    """Staff-authored, so untrusted: rendered in the Jinja2 sandbox (``campaigns.rendering``)."""

    subject = models.CharField(
        max_length=300, help_text="A template too: {{ customer.first_name }} works here."
    )
    preheader = models.CharField(
        max_length=300, blank=True, help_text="The preview line inboxes show after the subject."
    )
    html_body = models.TextField(
        help_text="The email's content; the layout (header, width, dark mode, footer) wraps it."
    )
    text_body = models.TextField(
        blank=True, help_text="Plain-text part; left empty, it is written from the HTML with its links."
    )
    language = models.CharField(max_length=16, default="en", choices=settings.LANGUAGES)
    customer_facing = models.BooleanField(
        "customer-facing",
        default=False,
        help_text="Customers may request this email through the API (and API keys on their behalf). "
        "Staff may render any template.",
    )


class Strictness(models.TextChoices):
    """How closely a message must match a segment's "talks about" phrase (``SEGMENT_TALKS_ABOUT_Z``)."""

    BROAD = "broad", "Broad: more customers, some off the subject"
    NORMAL = "normal", "Normal"
    STRICT = "strict", "Strict: fewer customers, closer to the phrase"


class Segment(StaffAuthored):
    """Who a campaign is for: every rule given must hold. Consent is always required (and
    checked again when each email is sent)."""

    interests = models.ManyToManyField(
        Interest, blank=True, help_text="Customers with at least one of these current interests."
    )
    categories = models.ManyToManyField(
        Category, blank=True, help_text="Customers who bought in at least one of these categories (or below)."
    )
    countries = models.JSONField(
        default=list, blank=True, help_text='Country names, e.g. ["France", "Germany"].'
    )
    purchased_within_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Last purchase at most this many days ago."
    )
    not_purchased_within_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="No purchase for at least this many days (lapsed customers)."
    )
    min_spend = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_spend = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sent_intents = models.ManyToManyField(
        "conversations.Intent",
        blank=True,
        verbose_name="sent a message with intent",
        related_name="segments_of_senders",
        help_text="Customers who sent a message with one of these intents.",
    )
    sent_intent_within_days = models.PositiveIntegerField(
        "sent a message within days",
        null=True,
        blank=True,
        help_text="Customers who sent a message (with one of the intents above, if any are picked) at most "
        "this many days ago.",
    )
    last_message_intents = models.ManyToManyField(
        "conversations.Intent",
        blank=True,
        verbose_name="latest message's intent",
        related_name="segments_of_last_messages",
        help_text="Customers whose latest message has one of these intents.",
    )
    talks_about = models.CharField(
        "talks about",
        max_length=200,
        blank=True,
        help_text="Customers with a message about this, by meaning, not words: e.g. “late delivery”, "
        "“a gift for my mother”.",
    )
    talks_about_within_days = models.PositiveIntegerField(
        "talked about it within days",
        null=True,
        blank=True,
        help_text="Only messages sent at most this many days ago count.",
    )
    talks_about_strictness = models.CharField(
        "how closely", max_length=8, choices=Strictness.choices, default=Strictness.NORMAL
    )
    rfm_segments = models.JSONField(
        "RFM segment is one of",
        default=list,
        blank=True,
        help_text='Customers whose RFM scores name one of these segments (analytics.rfm): ["Champions"].',
    )
    first_purchase_from = models.DateField(
        "first purchase from month",
        null=True,
        blank=True,
        help_text="Customers whose first purchase was in this month or later (their cohort); its first day.",
    )
    first_purchase_to = models.DateField(
        "first purchase to month",
        null=True,
        blank=True,
        help_text="… and in this month or earlier; its first day.",
    )


class CampaignState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    PAUSED = "paused", "Paused"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class WinnerMetric(models.TextChoices):
    OPENS = "opens", "Open rate"
    CLICKS = "clicks", "Click rate"


class Campaign(StaffAuthored):
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns")
    state = models.CharField(max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT)
    send_at = models.DateTimeField(null=True, blank=True, help_text="One-off: when to send.")
    schedule = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign",
        help_text="Recurring: the beat entry that starts each run.",
    )
    emails_per_second = models.PositiveIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    winner_metric = models.CharField(max_length=16, choices=WinnerMetric.choices, default=WinnerMetric.CLICKS)
    waiting_for = models.TextField(
        blank=True,
        editable=False,
        help_text="Why its due run has not started yet; it is tried again until it starts.",
    )

    class Meta:
        ordering = ["-created_at"]


class CampaignVariant(models.Model):
    """One template of a campaign; with several, customers are split by ``share``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(max_length=16, default="A")
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT, related_name="variants")
    share = models.PositiveSmallIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percent of recipients.",
    )

    class Meta:
        ordering = ["campaign", "label"]
        constraints = [models.UniqueConstraint(fields=["campaign", "label"], name="variant_label_unique")]

    def __str__(self) -> str:
        return f"{self.campaign} / {self.label}"


class CampaignRun(models.Model):
    """One occurrence of a campaign: a one-off campaign has one, a recurring one one per tick."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="runs")
    occurrence = models.CharField(max_length=32, help_text="Which tick this is (its scheduled time).")
    recipients = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "occurrence"], name="run_occurrence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} @ {self.occurrence}"


class SendStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RENDERED = "rendered", "Rendered"
    SENDING = "sending", "Sending"  # claimed by a worker; the email may be on its way
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


# The skip reason of a send held back because the customer's latest message is a recent
# complaint (``conversations.selectors.customers_held_by_complaint``).
COMPLAINT_HOLD = "complaint_hold"


class Send(models.Model):
    """Created for every recipient before anything is sent; the unique (run, customer) pair and
    the status make a retried or resumed task send each email once."""

    run = models.ForeignKey(CampaignRun, on_delete=models.CASCADE, related_name="sends")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="campaign_sends")
    variant = models.ForeignKey(CampaignVariant, on_delete=models.PROTECT, related_name="sends")
    status = models.CharField(max_length=16, choices=SendStatus.choices, default=SendStatus.PENDING)
    skip_reason = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    html = models.TextField(blank=True)
    text = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    esp_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "customer"], name="one_send_per_run_and_customer")
        ]
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="send_customer_sent"),
            models.Index(fields=["run", "status"], name="send_run_status"),
        ]

    def __str__(self) -> str:
        return f"{self.run} → {self.customer}"

    @property
    def message_id(self) -> str:
        """The same for every attempt: a receiver can tell a resent copy from a new email."""
        return f"<send-{self.pk}.{self.run_id}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


class SuppressionReason(models.TextChoices):
    BOUNCED = "bounced", "Hard bounce"
    COMPLAINED = "complained", "Spam complaint"
    MANUAL = "manual", "Added by staff"


class Suppression(models.Model):
    """Addresses never sent to, whoever they belong to now."""

    email = models.EmailField(unique=True)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(email=models.functions.Lower("email")),
                                              name="suppression_email_lowercase")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"
