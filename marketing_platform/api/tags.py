"""The API's operations grouped by resource: the sections of the docs.

An operation belongs to the resource its path names last, so
``/api/v1/customers/{external_id}/recommendations`` is under recommendations, not customers.
Plain data, read by the settings (the list of tags) and by the schema (each operation's tag).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiTag:
    name: str
    description: str
    segments: tuple[str, ...]  # the path segments that name this resource


API_TAGS = (
    ApiTag(
        "auth",
        "JSON Web Tokens for people: a pair from a username and password, refreshed and revoked. "
        "Services authenticate with an API key instead (`Authorization: Api-Key …`), issued by "
        "staff in the admin or with `manage.py api_keys`.",
        ("auth",),
    ),
    ApiTag(
        "customers",
        "Customers, addressed by their external id: list, read, update (consent too); everything "
        "held about one, exported for the customer itself.",
        ("customers", "export"),
    ),
    ApiTag(
        "ingest",
        "One customer's purchases, events (views, clicks, cart additions) and interests in one "
        "batch: validated whole, stored idempotently (a resend stores nothing twice); the "
        "customer is created if new.",
        ("data",),
    ),
    ApiTag("purchases", "Purchases and returns, as ingested.", ("purchases",)),
    ApiTag(
        "messages",
        "What customers wrote (chats, emails, replies to campaigns…): sent in batches, stored "
        "idempotently by their id; personal data, read by staff and the customer's own login. "
        "The intents they are classified into, defined by example messages; a message's intent "
        "corrected by staff.",
        ("messages", "intents"),
    ),
    ApiTag(
        "interests",
        "Customers' interests (declared, inferred from purchases or from messages) and the "
        "topics they belong to; a customer's declared ones, replaced by its own login.",
        ("interests", "interest-topics"),
    ),
    ApiTag("catalog", "Products and the category tree.", ("products", "categories")),
    ApiTag(
        "recommendations",
        "What to offer a customer next, best first, each with its reason; the customer's feedback "
        "on them (not for me, more like this), which changes them at once; the trained model "
        "versions behind them.",
        ("recommendations", "feedback", "models"),
    ),
    ApiTag(
        "graph",
        "The knowledge graph: a customer's neighbourhood, similar customers, products bought together.",
        ("graph", "similar", "complements"),
    ),
    ApiTag("emails", "A customer's personalised email, rendered (not sent), with its data.", ("email",)),
    ApiTag("campaigns", "Email campaigns, their state and results per variant.", ("campaigns",)),
    ApiTag(
        "analytics",
        "The figures marketers read over time, from the analytics aggregates: daily activity beside "
        "the period before, a campaign's performance per day and variant, what each recommendation "
        "strategy showed and earned, RFM segments and their members, cohort retention (staff, or a "
        "key with analytics:read).",
        ("analytics", "performance", "strategies", "rfm", "cohorts"),
    ),
    ApiTag(
        "vision boards",
        "A customer's vision board: the latest, or a new one rendered in the background to poll.",
        ("vision-board",),
    ),
    ApiTag(
        "operations",
        "Health check, Prometheus metrics, and the cache: its statistics, and forgetting what it "
        "holds per customer or per kind (staff only).",
        ("health", "metrics", "cache"),
    ),
)

OPENAPI_TAGS = [{"name": tag.name, "description": tag.description} for tag in API_TAGS]
_TAG_OF_SEGMENT = {segment: tag.name for tag in API_TAGS for segment in tag.segments}


def api_tag_for(path: str) -> str | None:
    """The tag of an operation at ``path`` (``/api/v1/customers/{external_id}/email``), or None."""
    for segment in reversed(path.strip("/").split("/")):
        if segment in _TAG_OF_SEGMENT:
            return _TAG_OF_SEGMENT[segment]
    return None
