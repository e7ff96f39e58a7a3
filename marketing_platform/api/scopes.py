"""What an API key may do. Staff may do everything; customers read their own data."""

from __future__ import annotations

from django.db import models


class Scope(models.TextChoices):
    INGEST = "ingest", "Send customer data (purchases, interests, events, messages)"
    CUSTOMERS_READ = "customers:read", "Read customers and their purchases and interests"
    CUSTOMERS_WRITE = "customers:write", "Update customers"
    FEEDBACK_WRITE = "feedback:write", "Give and take back customers' feedback on products"
    MESSAGES_READ = "messages:read", "Read customers' messages"
    MESSAGES_DELETE = "messages:delete", "Delete customers' messages"
    INTENTS_READ = "intents:read", "Read the intents messages are classified into"
    INTENTS_WRITE = "intents:write", "Define intents and correct a message's intent"
    CATALOG_READ = "catalog:read", "Read products and categories"
    CATALOG_WRITE = "catalog:write", "Create and update products"
    EMAILS_RENDER = "emails:render", "Render a customer's personalised email"
    VISION_BOARDS_RENDER = "visionboards:render", "Render a new vision board for a customer"
    CAMPAIGNS_READ = "campaigns:read", "Read campaigns and their results"
    ANALYTICS_READ = "analytics:read", "Read the analytics: activity, performance, RFM segments, cohorts"
    METRICS_READ = "metrics:read", "Scrape metrics"
