"""Offline evaluation: every recommender against the same held-out purchases.

Splits. ``time``: learn from what happened before T (the last ``test_weeks`` of
the data), test on each customer's purchases in the weeks after. ``validation``:
the same, ``test_weeks`` earlier, so choices can be made without looking at the
test weeks. ``random``: hold out ``test_fraction`` of the (customer, product)
pairs at random.

Metrics per customer, averaged: precision@k, recall@k, NDCG@k (binary
relevance), AUC (the chance a held-out product outranks a product the customer
did not buy); catalogue coverage is the share of products that appear in
anyone's top k.

The graph's 2-hop walk is computed here from the training period's purchases
(customer → product → customer → product paths): the live graph holds every
period, so it cannot be split in time.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from scipy import sparse

from catalog.models import Product
from customers.models import Customer, Purchase, PurchaseKind
from recommendations.dataset import Features, Interaction, interactions
from recommendations.lightfm_model import train
from recommendations.selectors import product_popularity, repurchase_products
from recommendations.serving import RANK_OFFSET, WEIGHTS

K = 10
Scores = np.ndarray  # customers × products


@dataclass
class Split:
    name: str
    train: list[Interaction]
    test: dict[int, set[int]]  # customer → held-out products
    description: str
    cutoff: datetime | None = None  # time split: what the training period ends before


@dataclass
class Row:
    recommender: str
    precision: float
    recall: float
    ndcg: float
    auc: float
    coverage: float
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def time_split(test_weeks: int, *, validation: bool = False) -> Split:
    """Learn before T, test on the ``test_weeks`` after it; T is ``test_weeks`` before the last
    sale. ``validation`` moves both back by ``test_weeks``: the weeks before the test weeks,
    on which the blend's weights and rules are chosen so the test weeks stay unseen."""
    sales = Purchase.objects.filter(kind=PurchaseKind.SALE)
    end = sales.aggregate(last=Max("purchased_at"))["last"]
    if end is None:
        raise ValueError("No purchases to evaluate on.")
    span = timedelta(weeks=test_weeks)
    if validation:
        end -= span
    cutoff = end - span
    test: dict[int, set[int]] = defaultdict(set)
    tested = sales.filter(purchased_at__gte=cutoff)
    if validation:
        tested = tested.filter(purchased_at__lt=end)
    for customer_id, product_id in tested.values_list("customer_id", "product_id"):
        test[customer_id].add(product_id)
    return Split(
        "validation" if validation else "time",
        interactions(before=cutoff),
        dict(test),
        f"train before {cutoff:%Y-%m-%d}, test {test_weeks} weeks",
        cutoff,
    )


def random_split(test_fraction: float, seed: int) -> Split:
    pairs = interactions()
    chooser = random.Random(seed)  # noqa: S311 - a split, not a secret
    test: dict[int, set[int]] = defaultdict(set)
    train_rows = []
    for row in pairs:
        if chooser.random() < test_fraction:
            test[row.customer_id].add(row.product_id)
        else:
            train_rows.append(row)
    return Split("random", train_rows, dict(test), f"{test_fraction:.0%} of pairs held out, seed {seed}")


class Evaluation:
    """The training matrix and the customers under test, shared by every recommender."""

    def __init__(self, split: Split) -> None:
        self.split = split
        self.products = sorted(set(Product.objects.values_list("pk", flat=True)))
        self.column = {pk: i for i, pk in enumerate(self.products)}
        customers = sorted({row.customer_id for row in split.train})
        self.row = {pk: i for i, pk in enumerate(customers)}
        self.customers = [pk for pk in sorted(split.test) if pk in self.row]
        rows = [self.row[r.customer_id] for r in split.train]
        cols = [self.column[r.product_id] for r in split.train]
        self.weights = sparse.csr_matrix(
            ([r.weight for r in split.train], (rows, cols)), shape=(len(customers), len(self.products))
        )
        self.bought = self.weights.sign().astype(np.float32).tocsr()  # weights are positive
        self.popularity = self._popularity()
        self.categories = self._product_categories()
        self.features = self._train_period_features(customers)

    def _popularity(self) -> np.ndarray:
        """Time split: what serving calls popular (recent distinct buyers) as of the cut, ties
        going to buyers over the whole training period. Random split (no time in it): buyers
        in the training pairs."""
        overall = np.asarray(self.bought.sum(axis=0)).ravel()
        if self.split.cutoff is None:
            return overall
        recent = product_popularity(before=self.split.cutoff)
        return np.array([recent.get(pk, 0) for pk in self.products]) + overall / (overall.max() + 1)

    def _product_categories(self) -> np.ndarray:
        by_pk = dict(Product.objects.values_list("pk", "category_id"))
        return np.array([by_pk.get(pk) or 0 for pk in self.products])

    def _train_period_features(self, customers: list[int]) -> dict[int, Features]:
        """Country and the category shares of each customer's training-period purchases."""
        countries = dict(Customer.objects.filter(pk__in=customers).values_list("pk", "country"))
        shares: dict[int, Features] = {pk: {} for pk in customers}
        for r in self.split.train:
            key = f"category:{self.categories[self.column[r.product_id]]}"
            shares[r.customer_id][key] = shares[r.customer_id].get(key, 0.0) + r.weight
        for pk in customers:
            if countries.get(pk):
                shares[pk][f"country:{countries[pk]}"] = 1.0
        return shares

    def user_rows(self) -> np.ndarray:
        return np.array([self.row[pk] for pk in self.customers])

    # recommenders: each returns scores (customers under test × products) ----------------
    def global_popularity(self) -> Scores:
        return np.tile(self.popularity, (len(self.customers), 1))

    def popular_in_interests(self) -> Scores:
        categories = np.unique(self.categories)
        shares = np.array(
            [[self.features[pk].get(f"category:{c}", 0.0) for c in categories] for pk in self.customers],
            dtype=np.float32,
        ).reshape(len(self.customers), len(categories))
        column_of = np.searchsorted(categories, self.categories)  # each product's category column
        scores = shares[:, column_of] * self.popularity[np.newaxis, :]
        return scores + 1e-6 * self.popularity  # bestsellers after the customer's categories

    def repeat_purchases(self) -> Scores:
        return np.asarray(self.weights[self.user_rows()].todense()) + 1e-6 * self.popularity

    def item_knn(self) -> Scores:
        norms = np.sqrt(np.asarray(self.bought.sum(axis=0)).ravel())
        norms[norms == 0] = 1
        normed = self.bought @ sparse.diags(1 / norms)
        similarity = (normed.T @ normed).tocsr()
        similarity.setdiag(0)
        return np.asarray((self.bought[self.user_rows()] @ similarity).todense())

    def graph_two_hop(self) -> Scores:
        co_buyers = self.bought[self.user_rows()] @ self.bought.T
        return np.asarray((co_buyers @ self.bought).todense())

    def lightfm(self, *, hybrid: bool) -> Scores:
        model = train(self.split.train, settings.RECOMMENDER, hybrid=hybrid, known_users=self.features)
        scores = np.full((len(self.customers), len(self.products)), -np.inf, dtype=np.float32)
        trained_columns = np.array([self.column[pk] for pk in model.product_ids])
        scored = model.score({pk: self.features[pk] for pk in self.customers})
        for i, pk in enumerate(self.customers):
            if pk in scored:
                scores[i, trained_columns] = scored[pk]
        return scores

    def blended(self, repeat: Scores, hybrid: Scores, graph: Scores, interests: Scores) -> Scores:
        """What serving does: rank fusion of the customer's regulars, the model, the graph and
        popularity, then its rule that nothing already bought comes back unless it is offered
        again (see ``_offered_again``)."""
        fused = np.zeros_like(hybrid, dtype=np.float64)
        offered_again = self._offered_again()
        regulars = np.where(offered_again, repeat, -np.inf)  # what serving's repeat source offers
        sources = (
            (WEIGHTS["repeat"], regulars),
            (WEIGHTS["model"], hybrid),
            (WEIGHTS["graph"], graph),
            (WEIGHTS["interests"], interests),
            (WEIGHTS["popular"], self.global_popularity()),
        )
        for weight, scores in sources:
            ranks = np.argsort(np.argsort(-scores, axis=1), axis=1)
            fused += np.where(np.isfinite(scores), weight / (RANK_OFFSET + ranks), 0.0)
        owned = np.asarray(self.bought[self.user_rows()].todense()) > 0
        fused[owned & ~offered_again] = -np.inf
        return fused

    def _offered_again(self) -> np.ndarray:
        """Per customer under test, the bought products serving may offer again: a re-purchase
        kind, or bought on more than one order during the training period."""
        kinds = np.isin(self.products, list(repurchase_products(before=self.split.cutoff)))
        offered = np.asarray(self.bought[self.user_rows()].todense()) > 0
        offered &= kinds[np.newaxis, :]
        sales = Purchase.objects.filter(kind=PurchaseKind.SALE, customer_id__in=self.customers)
        if self.split.cutoff is not None:
            sales = sales.filter(purchased_at__lt=self.split.cutoff)
        position = {pk: i for i, pk in enumerate(self.customers)}
        repeated = (
            sales.values("customer_id", "product_id")
            .annotate(orders=Count("invoice", distinct=True))
            .filter(orders__gt=1)
            .values_list("customer_id", "product_id")
        )
        train_pairs = {(r.customer_id, r.product_id) for r in self.split.train}
        for customer_id, product_id in repeated.iterator(chunk_size=20_000):
            if (customer_id, product_id) in train_pairs:
                offered[position[customer_id], self.column[product_id]] = True
        return offered

    def measure(self, name: str, scores: Scores, seconds: float) -> Row:
        precision, recall, ndcg, auc = [], [], [], []
        recommended: set[int] = set()
        discounts = 1 / np.log2(np.arange(2, K + 2))
        for i, pk in enumerate(self.customers):
            relevant = np.array([self.column[p] for p in self.split.test[pk] if p in self.column])
            if not len(relevant):
                continue
            top = np.argsort(-scores[i], kind="stable")[:K]
            recommended.update(top.tolist())
            hits = np.isin(top, relevant)
            precision.append(hits.sum() / K)
            recall.append(hits.sum() / len(relevant))
            ideal = discounts[: min(len(relevant), K)].sum()
            ndcg.append(float((hits * discounts).sum() / ideal))
            auc.append(_auc(scores[i], relevant))
        return Row(name, float(np.mean(precision)), float(np.mean(recall)), float(np.mean(ndcg)),
                   float(np.mean(auc)), len(recommended) / len(self.products), seconds)  # fmt: skip


def _auc(scores: np.ndarray, relevant: np.ndarray) -> float:
    finite = np.where(
        np.isfinite(scores), scores, np.nanmin(np.where(np.isfinite(scores), scores, np.nan)) - 1
    )
    ranks = finite.argsort().argsort().astype(np.float64) + 1  # ties broken arbitrarily
    positives = len(relevant)
    negatives = len(scores) - positives
    if not negatives:
        return 1.0
    return float((ranks[relevant].sum() - positives * (positives + 1) / 2) / (positives * negatives))


# What the served blend is made of, in the order ``Evaluation.blended`` takes them.
BLENDED_FROM = ("repeat purchases", "LightFM hybrid", "graph 2-hop", "popularity in interests")


def evaluate(split: Split, progress: Callable[[str], None] = lambda name: None) -> list[Row]:
    """Every recommender on the same split, in the order of the table."""
    evaluation = Evaluation(split)
    rows: list[Row] = []
    kept: dict[str, Scores] = {}
    steps: list[tuple[str, Callable[[], Scores]]] = [
        ("global popularity", evaluation.global_popularity),
        ("popularity in interests", evaluation.popular_in_interests),
        ("repeat purchases", evaluation.repeat_purchases),
        ("co-purchase item-kNN", evaluation.item_knn),
        ("graph 2-hop", evaluation.graph_two_hop),
        ("LightFM collaborative", lambda: evaluation.lightfm(hybrid=False)),
        ("LightFM hybrid", lambda: evaluation.lightfm(hybrid=True)),
        ("blended (served)", lambda: evaluation.blended(*(kept[name] for name in BLENDED_FROM))),
    ]
    for name, compute in steps:
        progress(name)
        started = time.perf_counter()
        kept[name] = compute()
        rows.append(evaluation.measure(name, kept[name], time.perf_counter() - started))
    return rows
