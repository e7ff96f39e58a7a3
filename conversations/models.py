"""Customers' messages (chats, emails, calls…) and the intents a shop sorts them into."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from campaigns.models import Campaign
from customers.models import Customer

MESSAGE_MAX_CHARS = 20_000


class Intent(models.Model):
    """What a message asks or says (order status, a complaint…), defined by example messages."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="Only active intents are given to messages.")
    holds_promotions = models.BooleanField(
        default=False,
        help_text="A customer whose latest message has this intent (a complaint, say) gets no campaign "
        "emails for CAMPAIGN_COMPLAINT_HOLD_DAYS after sending it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IntentExample(models.Model):
    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="examples")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["intent", "pk"]
        constraints = [models.UniqueConstraint(fields=["intent", "text"], name="intent_example_unique_text")]

    def __str__(self) -> str:
        return self.text[:80]


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    WEB = "web", "Web form"
    PHONE = "phone", "Phone"
    SOCIAL = "social", "Social media"
    OTHER = "other", "Other"


class IntentBy(models.TextChoices):
    NONE = "none", "Not classified"
    CLASSIFIER = "classifier", "Classifier"
    STAFF = "staff", "Staff"


class Message(models.Model):
    """One message a customer sent, keyed by its sender's id: ``(source, message_id)`` is unique,
    so a resent batch, a re-run import or a replayed webhook finds the message stored."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="messages")
    source = models.CharField(max_length=32, help_text="Where the message came from, e.g. api, csv, email.")
    message_id = models.CharField(max_length=255, help_text="The message's id within its source.")
    text = models.TextField()
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.OTHER)
    sent_at = models.DateTimeField()
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        help_text="The campaign the message answers, if any.",
    )
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 tag, e.g. en, de-CH.")
    intent = models.ForeignKey(
        Intent, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    intent_confidence = models.FloatField(null=True, blank=True)
    intent_by = models.CharField(max_length=16, choices=IntentBy.choices, default=IntentBy.NONE)
    embedding_model = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The model of the stored embedding; blank: none for the current text.",
    )
    embedded_digest = models.CharField(
        max_length=64, blank=True, editable=False, help_text="A hash of the text that was embedded."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "message_id"], name="message_idempotency_key"),
            models.CheckConstraint(
                condition=Q(intent_confidence__isnull=True)
                | Q(intent_confidence__gte=0, intent_confidence__lte=1),
                name="message_intent_confidence_range",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-sent_at", "-id"], name="message_customer_newest"),
            # A changed text clears the embedding's model, so "to embed with model M" is
            # ``embedding_model != M``: read per stored model value, from this index.
            models.Index(fields=["embedding_model", "id"], name="message_embedding_model"),
            models.Index(fields=["intent", "-sent_at"], name="message_intent_newest"),
            models.Index(fields=["sent_at"], name="message_sent_at"),  # counts over a range of days
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.message_id}"


class TrainedIntentClassifier(models.Model):
    """The shop's intent classifier for one embedding model, shared by every worker: trained on the
    active intents' examples and the staff corrections, embedded by ``embedding_model``, and only
    ever given vectors of that model. ``digest`` names what it learned from, so a training with
    nothing new is skipped; when the examples cannot train one, ``error`` says why."""

    embedding_model = models.CharField(max_length=200, unique=True)
    digest = models.CharField(max_length=64, help_text="A hash of the examples and corrections it learned.")
    classifier = models.BinaryField(editable=False, help_text="The pickled classifier; empty when untrained.")
    error = models.TextField(blank=True, help_text="Why the examples could not train a classifier.")
    intents = models.PositiveIntegerField(default=0)
    examples = models.PositiveIntegerField(default=0)
    corrections = models.PositiveIntegerField(default=0)
    threshold = models.FloatField(null=True, blank=True, help_text="Below this confidence: unknown.")
    trained_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"intent classifier for {self.embedding_model}"
