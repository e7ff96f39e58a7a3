"""A customer's vision boards: each render is a new version, kept with what it was built from."""

from __future__ import annotations

from django.db import models

from customers.models import Customer


class BoardStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class VisionBoard(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="vision_boards")
    version = models.PositiveIntegerField(
        help_text="1 for the customer's first board, then one more per render."
    )
    status = models.CharField(max_length=16, choices=BoardStatus.choices, default=BoardStatus.PENDING)
    layout = models.JSONField(
        default=dict,
        help_text="Per format, the canvas and its sections (product, interest or inspiration) with "
        "content, product ids, alt text and x, y, w, h: what a frontend needs to draw the board itself.",
    )
    social_image = models.ImageField(upload_to="boards/social/", blank=True, help_text="1080×1350 PNG.")
    screen_image = models.ImageField(upload_to="boards/screen/", blank=True, help_text="1920×1080 PNG.")
    source = models.JSONField(
        default=dict, help_text="What the board was built from: interests, purchases, recommendations."
    )
    fallbacks = models.JSONField(
        default=list,
        help_text="Tiles drawn without their image, each with the reason the image was not used.",
    )
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "version"], name="one_board_per_customer_version")
        ]
        indexes = [models.Index(fields=["customer", "-version"], name="board_latest")]

    def __str__(self) -> str:
        return f"Vision board {self.version} of {self.customer}"
