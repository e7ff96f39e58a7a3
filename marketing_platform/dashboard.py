"""What the admin's home page shows staff at a glance: who can be reached, how the last
campaigns did, which model serves and whether the graph answers. A fixed number of queries,
whatever the size of the shop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model
from django.utils.formats import date_format

from analytics.models import DailyActivity
from analytics.selectors import activity_latest_day
from campaigns.models import Campaign
from campaigns.selectors import VariantResult, campaign_results, reachable_customers
from customers.models import Customer
from graph.engine import GraphUnavailable
from graph.models import GraphChange
from graph.port import get_graph
from recommendations.models import ModelStatus, ModelVersion

CAMPAIGNS_SHOWN = 5


@dataclass(frozen=True)
class CampaignLine:
    campaign: Campaign
    sent: int
    opened: int
    clicked: int

    @classmethod
    def of(cls, campaign: Campaign, results: list[VariantResult]) -> CampaignLine:
        return cls(
            campaign,
            sent=sum(r.sent for r in results),
            opened=sum(r.opened for r in results),
            clicked=sum(r.clicked for r in results),
        )

    @property
    def opened_rate(self) -> str:
        return self._rate(self.opened)

    @property
    def clicked_rate(self) -> str:
        return self._rate(self.clicked)

    def _rate(self, count: int) -> str:
        return f"{count / self.sent:.1%}" if self.sent else "-"


# The graph's node labels and edge types, in words.
GRAPH_KINDS = {
    "Customer": "customers", "Product": "products", "Category": "categories", "Interest": "interests",
    "PURCHASED": "customer bought product", "INTERESTED_IN": "customer interested in",
    "BELONGS_TO": "product in category", "SIMILAR_TO": "similar customers",
    "COMPLEMENTS": "bought together", "Campaign": "campaigns", "Intent": "intents", "Message": "messages",
    "SENT": "customer sent message", "ABOUT": "message about campaign", "HAS_INTENT": "message with intent",
}  # fmt: skip


@dataclass(frozen=True)
class GraphHealth:
    reachable: bool
    adapter: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # by node label and edge type
    waiting: int = 0  # changes in the outbox not yet applied to the graph
    problem: str = ""

    @property
    def counted(self) -> list[tuple[str, int]]:
        return [(GRAPH_KINDS.get(kind, kind), count) for kind, count in self.counts.items()]


def recent_campaigns(limit: int = CAMPAIGNS_SHOWN) -> list[CampaignLine]:
    """The last campaigns staff worked on, each with what it sent and what came of it."""
    campaigns = Campaign.objects.select_related("segment").order_by("-updated_at", "-pk")[:limit]
    return [CampaignLine.of(campaign, campaign_results(campaign)) for campaign in campaigns]


def model_status() -> str:
    """The serving model in plain words: which version, trained when, on how much data."""
    active = ModelVersion.objects.filter(active=True).first()
    training = ModelVersion.objects.filter(status=ModelStatus.TRAINING).exists()
    if active is None:
        return "No model yet: the first one is training now." if training else "No model yet: train one."
    trained = date_format(active.finished_at or active.created_at, "j M Y, H:i")
    sizes = [
        f"{active.data[key]:,} {key}"
        for key in ("customers", "products", "interactions")
        if isinstance(active.data.get(key), int)
    ]
    seen = f" on {', '.join(sizes)}" if sizes else ""
    note = " A new version is training now." if training else ""
    return f"Model v{active.pk} serves recommendations, trained {trained}{seen}.{note}"


def graph_health() -> GraphHealth:
    """Whether the knowledge graph answers, what it holds, and how much is waiting to reach it."""
    waiting = GraphChange.objects.count()
    try:
        graph = get_graph()
        counts = graph.counts()
    except GraphUnavailable as exc:
        return GraphHealth(reachable=False, waiting=waiting, problem=str(exc))
    return GraphHealth(reachable=True, adapter=graph.adapter, counts=counts, waiting=waiting)


@dataclass(frozen=True)
class Audience:
    customers: int
    reachable: int  # with an address and consent, not unsubscribed or suppressed


def audience() -> Audience:
    return Audience(customers=Customer.objects.count(), reachable=reachable_customers().count())


# Each panel and the rows it summarises: shown to staff who may view those.
PANELS: dict[str, tuple[type[Model], Callable[[], object]]] = {
    "audience": (Customer, audience),
    "campaigns": (Campaign, recent_campaigns),
    "model": (ModelVersion, model_status),
    "graph": (GraphChange, graph_health),
    "analytics": (DailyActivity, activity_latest_day),
}


def dashboard_for(may_view: Callable[[type[Model]], bool]) -> dict[str, object]:
    """The panels of what ``may_view`` allows, read now."""
    return {name: read() for name, (model, read) in PANELS.items() if may_view(model)}
