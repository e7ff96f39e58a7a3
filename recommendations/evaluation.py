"""Offline evaluation: every recommender against the same held-out purchases, two protocols.

Splits. ``time``: learn from what happened before T (the last ``test_weeks`` of
the data), test on each customer's purchases in the weeks after. ``validation``:
the same, ``test_weeks`` earlier. ``random``: hold out ``test_fraction`` of the
purchased (customer, product) pairs at random, with every signal of those pairs.

Protocols. ``new``: products the customer had in the training data are neither
recommended nor counted as hits (the protocol of LightFM's and Microsoft
Recommenders' published figures). ``again``: re-purchases allowed: every held-out
purchase counts, and each recommender keeps what it ranks (what a retailer measures).

Metrics per customer, averaged: precision@k, recall@k, NDCG@k (binary relevance);
catalogue coverage is the share of products that appear in anyone's top k.

"blended (served)" is serving's own code (``blending.recommend`` over the candidate
lists serving builds) applied to the training period: its blend is chosen on the
training period alone (``tuning.choose_blend``), as a training would, so the test
stays unseen. The graph's walks are stood in for by a 2-hop walk over the training
period's purchases (the live graph holds every period, so it cannot be split in time).
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from scipy import sparse

from catalog.models import Category, Product
from customers.models import Customer
from customers.ownership import order_counts, order_moments_of
from recommendations.blending import (
    POOL,
    Blend,
    Candidates,
    OfferAgain,
    Shopper,
    bestsellers_by_category,
    real_category,
    recommend,
    repurchase_kinds,
)
from recommendations.companions import companion_candidates
from recommendations.content import content_candidates, content_index
from recommendations.dataset import Features, History, history
from recommendations.lightfm_model import TrainedRecommender, train
from recommendations.market import Market, market_of
from recommendations.neighbours import neighbour_candidates
from recommendations.serving import candidate_sources, model_candidates
from recommendations.stock_lightfm import stock_lightfm_scores

K = 10
PROTOCOLS = {"new": "new items only", "again": "re-purchases allowed"}
Scores = np.ndarray  # customers × products
Lists = dict[int, list[int]]  # customer → recommended products, best first


@dataclass
class Split:
    name: str
    train: History
    test: dict[int, set[int]]  # customer → held-out purchased products
    description: str
    cutoff: datetime | None = None  # time split: what the training period ends before


@dataclass
class Row:
    recommender: str
    protocol: str
    precision: float
    recall: float
    ndcg: float
    coverage: float
    customers: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def time_split(test_weeks: int, *, validation: bool = False, data: History | None = None) -> Split:
    """Learn before T, test on the ``test_weeks`` after it; T is ``test_weeks`` before the last
    purchase. ``validation`` moves both back by ``test_weeks``."""
    data = data if data is not None else history()
    if not data.purchases:
        raise ValueError("No purchases to evaluate on.")
    end = max(p.moment for p in data.purchases) + timedelta(microseconds=1)
    span = timedelta(weeks=test_weeks)
    if validation:
        end -= span
    cutoff = end - span
    test: dict[int, set[int]] = defaultdict(set)
    for p in data.purchases:
        if cutoff <= p.moment < end:
            test[p.customer_id].add(p.product_id)
    return Split(
        "validation" if validation else "time",
        data.before(cutoff),
        dict(test),
        f"train before {cutoff:%Y-%m-%d}, test {test_weeks} weeks",
        cutoff,
    )


def random_split(test_fraction: float, seed: int, *, data: History | None = None) -> Split:
    data = data if data is not None else history()
    pairs = sorted({(p.customer_id, p.product_id) for p in data.purchases})
    if not pairs:
        raise ValueError("No purchases to evaluate on.")
    chooser = random.Random(seed)  # noqa: S311 - a split, not a secret
    held = {pair for pair in pairs if chooser.random() < test_fraction}
    test: dict[int, set[int]] = defaultdict(set)
    for customer_id, product_id in held:
        test[customer_id].add(product_id)
    description = f"{test_fraction:.0%} of purchased pairs held out, seed {seed}"
    return Split("random", data.without(held), dict(test), description)


class Evaluation:
    """The training matrix, what each customer had, and the customers under test, shared by
    every recommender."""

    def __init__(
        self,
        split: Split,
        *,
        model: TrainedRecommender | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        """``model``: the hybrid model the blend uses (by default one trained on the split with
        ``parameters``, the settings' by default)."""
        self.split = split
        self.parameters = dict(parameters or settings.RECOMMENDER)
        catalogue = [
            (pk, real_category(category, slug), active)
            for pk, category, slug, active in Product.objects.values_list(
                "pk", "category_id", "category__slug", "active"
            )
        ]
        self.products = sorted(pk for pk, _, _ in catalogue)
        self.column = {pk: i for i, pk in enumerate(self.products)}
        self.interactions = split.train.interactions()
        customers = sorted({row.customer_id for row in self.interactions})
        self.row = {pk: i for i, pk in enumerate(customers)}
        self.customers = [pk for pk in sorted(split.test) if pk in self.row]
        rows = [self.row[r.customer_id] for r in self.interactions]
        cols = [self.column[r.product_id] for r in self.interactions]
        self.weights = sparse.csr_matrix(
            ([r.weight for r in self.interactions], (rows, cols)), shape=(len(customers), len(self.products))
        )
        self.seen = self.weights.sign().astype(np.float32).tocsr()  # weights are positive
        self.ordered = order_moments_of(split.train.purchases)
        self.orders = {pk: order_counts(products) for pk, products in self.ordered.items()}
        by_pk = {pk: category for pk, category, _ in catalogue}
        self.categories = np.array([by_pk.get(pk) or 0 for pk in self.products])
        # at a cut, only products the shop had sold or shown by then (the rest came later)
        known = {s.product_id for s in split.train.signals} if split.cutoff is not None else None
        self.category_of = {
            pk: category for pk, category, active in catalogue if active and (known is None or pk in known)
        }
        self.features = self._train_period_features(customers)
        self._markets: dict[int | None, Market] = {}
        self._trained: dict[bool, TrainedRecommender] = {True: model} if model is not None else {}

    def market(self, popular_days: int | None) -> Market:
        if popular_days not in self._markets:
            self._markets[popular_days] = market_of(self.split.train.purchases, popular_days)
        return self._markets[popular_days]

    def _train_period_features(self, customers: list[int]) -> dict[int, Features]:
        """Country and the category shares of each customer's training-period signals."""
        countries = dict(Customer.objects.filter(pk__in=customers).values_list("pk", "country"))
        shares: dict[int, Features] = {pk: {} for pk in customers}
        for r in self.interactions:
            key = f"category:{self.categories[self.column[r.product_id]]}"
            shares[r.customer_id][key] = shares[r.customer_id].get(key, 0.0) + r.weight
        for pk in customers:
            if countries.get(pk):
                shares[pk][f"country:{countries[pk]}"] = 1.0
        return shares

    def user_rows(self) -> np.ndarray:
        return np.array([self.row[pk] for pk in self.customers], dtype=np.int64)

    def owned(self) -> np.ndarray:
        """Customers under test × products: what each had in the training data."""
        owned = np.zeros((len(self.customers), len(self.products)), dtype=bool)
        for i, pk in enumerate(self.customers):
            owned[i, [self.column[p] for p in self.orders.get(pk, ())]] = True
        return owned

    # recommenders by score: each returns scores (customers under test × products) ---------
    def global_popularity(self) -> Scores:
        """Serving's popularity (distinct buyers over its default window up to the cut), ties
        going to buyers over the whole training period."""
        recent = self.market(Blend.of({}).popular_days).popularity
        overall = self.market(None).popularity
        top = max(overall.values(), default=0) + 1
        scores = np.array([recent.get(pk, 0) + overall.get(pk, 0) / top for pk in self.products])
        return np.tile(scores, (len(self.customers), 1))

    def popular_in_interests(self) -> Scores:
        popularity = self.global_popularity()[0] if self.customers else np.zeros(len(self.products))
        categories = np.unique(self.categories)
        shares = np.array(
            [[self.features[pk].get(f"category:{c}", 0.0) for c in categories] for pk in self.customers],
            dtype=np.float32,
        ).reshape(len(self.customers), len(categories))
        column_of = np.searchsorted(categories, self.categories)  # each product's category column
        scores = shares[:, column_of] * popularity[np.newaxis, :]
        return scores + 1e-6 * popularity  # bestsellers after the customer's categories

    def repeat_purchases(self) -> Scores:
        popularity = self.global_popularity()[0] if self.customers else np.zeros(len(self.products))
        return np.asarray(self.weights[self.user_rows()].todense()) + 1e-6 * popularity

    def item_knn(self) -> Scores:
        norms = np.sqrt(np.asarray(self.seen.sum(axis=0)).ravel())
        norms[norms == 0] = 1
        normed = self.seen @ sparse.diags(1 / norms)
        similarity = (normed.T @ normed).tocsr()
        similarity.setdiag(0)
        return np.asarray((self.seen[self.user_rows()] @ similarity).todense())

    def customers_like_you(self) -> Scores:
        """The neighbours source alone (``neighbours.py``), its half-life the default window."""
        market = self.market(Blend.of({}).popular_days)
        return self.listed_scores(neighbour_candidates(self.shoppers(self.customers), market.neighbours))

    def bought_together(self) -> Scores:
        """The companions source alone (``companions.py``), its half-life the default window."""
        market = self.market(Blend.of({}).popular_days)
        return self.listed_scores(companion_candidates(self.shoppers(self.customers), market.companions))

    def listed_scores(self, found: Mapping[int, Candidates]) -> Scores:
        """A source's lists as scores: the first highest, what it does not list never."""
        scores = np.full((len(self.customers), len(self.products)), -np.inf, dtype=np.float32)
        for i, pk in enumerate(self.customers):
            listed = found[pk].product_ids if pk in found else []
            scores[i, [self.column[product] for product in listed]] = -np.arange(len(listed))
        return scores

    def graph_two_hop(self) -> Scores:
        co_buyers = self.seen[self.user_rows()] @ self.seen.T
        return np.asarray((co_buyers @ self.seen).todense())

    def trained(self, *, hybrid: bool) -> TrainedRecommender:
        if hybrid not in self._trained:
            # on one thread, the only way LightFM repeats itself: the same data, the same figures
            parameters = {**self.parameters, "threads": 1}
            self._trained[hybrid] = train(
                self.interactions, parameters, hybrid=hybrid, known_users=self.features
            )
        return self._trained[hybrid]

    def lightfm(self, *, hybrid: bool) -> Scores:
        model = self.trained(hybrid=hybrid)
        scores = np.full((len(self.customers), len(self.products)), -np.inf, dtype=np.float32)
        trained_columns = np.array([self.column[pk] for pk in model.product_ids])
        scored = model.score({pk: self.features[pk] for pk in self.customers})
        for i, pk in enumerate(self.customers):
            if pk in scored:
                scores[i, trained_columns] = scored[pk]
        return scores

    def stock_lightfm(self) -> Scores:
        return stock_lightfm_scores(self.seen, seed=settings.RECOMMENDER["random_state"])[self.user_rows()]

    def ranked(self, scores: Scores, protocol: str) -> Lists:
        """Each customer's top k by score; under ``new`` what it had is left out."""
        if protocol == "new":
            scores = np.where(self.owned(), -np.inf, scores)
        lists: Lists = {}
        for i, pk in enumerate(self.customers):
            top = np.argsort(-scores[i], kind="stable")[:K]
            lists[pk] = [self.products[j] for j in top if np.isfinite(scores[i, j])]
        return lists

    # the served blend -------------------------------------------------------------------
    def shoppers(self, customers: list[int]) -> list[Shopper]:
        """What serving would know of each customer at the cut: what it had, and its strongest
        categories of the training period as interests."""
        names = dict(Category.objects.values_list("pk", "name"))
        found = []
        for pk in customers:
            features = self.features.get(pk, {})
            strongest = sorted(
                (
                    (share, int(key.split(":")[1]))
                    for key, share in features.items()
                    if key.startswith("category:")
                ),
                reverse=True,
            )
            interests: list[tuple[str, int | None, bool]] = [
                (names[c], c, False) for _, c in strongest if c in names
            ]
            found.append(
                Shopper(
                    pk,
                    self.orders.get(pk) or Counter(),
                    pk in self.row,
                    interests,
                    features,
                    ordered_at=self.ordered.get(pk, {}),
                )
            )
        return found

    def sources(
        self, shoppers: list[Shopper], graph: Callable[[list[int]], dict[int, Candidates]] | None = None
    ) -> Sources:
        """Every customer's candidate lists but the regulars, which ``recommend`` fills in, and
        those that depend on the blend's popularity window (``Sources.for_window``)."""
        trained = self.trained(hybrid=True)
        unknown = [pk for pk in self.category_of if pk not in trained.items.entities]  # as serving folds in
        model = model_candidates(shoppers, trained, unknown)
        walks = (graph or self.two_hop_candidates)([s.customer_id for s in shoppers if not s.new])
        return Sources(self, shoppers, model, walks, content_candidates(shoppers, content_index()))

    def two_hop_candidates(self, customers: list[int]) -> dict[int, Candidates]:
        """The stand-in for the graph's walks: products of customers who bought the same."""
        if not customers:
            return {}
        rows = np.array([self.row[pk] for pk in customers], dtype=np.int64)
        scores = np.asarray(((self.seen[rows] @ self.seen.T) @ self.seen).todense())
        found = {}
        for i, pk in enumerate(customers):
            top = [j for j in np.argsort(-scores[i], kind="stable")[: POOL // 2] if scores[i, j] > 0]
            found[pk] = Candidates.of(
                [self.products[j] for j in top],
                "graph:similar_customers",
                "Bought by customers with tastes like yours",
            )
        return found

    def measure(self, name: str, protocol: str, lists: Lists, seconds: float) -> Row:
        precision, recall, ndcg, recommended = self.per_customer(protocol, lists)
        mean = lambda values: float(np.mean(values)) if len(values) else 0.0  # noqa: E731
        return Row(name, protocol, mean(precision), mean(recall), mean(ndcg),
                   len(recommended) / max(len(self.products), 1), len(precision), seconds)  # fmt: skip

    def per_customer(
        self, protocol: str, lists: Lists
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, set[int]]:
        """Precision, recall and NDCG at k of each customer of ``lists`` with something to find,
        in the order of ``lists``, and every product recommended to them."""
        precision, recall, ndcg = [], [], []
        recommended: set[int] = set()
        discounts = 1 / np.log2(np.arange(2, K + 2))
        for pk, top in lists.items():
            relevant = self.split.test.get(pk, set())
            if protocol == "new":
                relevant = relevant - set(self.orders.get(pk, ()))
            if not relevant:
                continue
            recommended.update(top[:K])
            hits = np.array([p in relevant for p in top[:K]] + [False] * (K - len(top[:K])))
            precision.append(hits.sum() / K)
            recall.append(hits.sum() / len(relevant))
            ideal = discounts[: min(len(relevant), K)].sum()
            ndcg.append(float((hits * discounts).sum() / ideal))
        return np.array(precision), np.array(recall), np.array(ndcg), recommended


class Sources:
    """Candidate lists of a set of customers, with those that depend on a popularity window
    built once per window: a blend is then scored without building anything again."""

    def __init__(
        self,
        evaluation: Evaluation,
        shoppers: list[Shopper],
        model: dict[int, Candidates],
        walks: dict[int, Candidates],
        content: dict[int, Candidates],
    ) -> None:
        self.evaluation, self.shoppers = evaluation, shoppers
        self.model, self.walks, self.content = model, walks, content
        self._windows: dict[int | None, dict[int, dict[str, Candidates]]] = {}
        members: dict[int, list[int]] = defaultdict(list)
        for pk, category in evaluation.category_of.items():
            if category is not None:
                members[category].append(pk)
        self.members = members

    def for_window(self, popular_days: int | None) -> dict[int, dict[str, Candidates]]:
        if popular_days not in self._windows:
            market = self.evaluation.market(popular_days)
            bestsellers = bestsellers_by_category(self.members, market)
            neighbours = neighbour_candidates(self.shoppers, market.neighbours)
            listed = {
                "graph": self.walks,
                "neighbours": neighbours,
                "companions": companion_candidates(self.shoppers, market.companions),
                "content": self.content,
            }
            self._windows[popular_days] = {
                s.customer_id: candidate_sources(s, market, self.model, listed, bestsellers)
                for s in self.shoppers
            }
        return self._windows[popular_days]

    def served(self, blend: Blend) -> Lists:
        """Each customer's top k as serving would blend them."""
        kinds = repurchase_kinds(blend, self.evaluation.market(blend.popular_days))
        category_of = self.evaluation.category_of
        window = self.for_window(blend.popular_days)
        return {
            s.customer_id: [
                pick.product_id
                for pick in recommend(s, window[s.customer_id], blend, kinds, category_of, limit=K)
            ]
            for s in self.shoppers
        }


# Recommenders ranked by their own scores, in the order of the table.
BY_SCORE: tuple[tuple[str, Callable[[Evaluation], Scores]], ...] = (
    ("global popularity", Evaluation.global_popularity),
    ("popularity in interests", Evaluation.popular_in_interests),
    ("repeat purchases", Evaluation.repeat_purchases),
    ("co-purchase item-kNN", Evaluation.item_knn),
    ("graph 2-hop", Evaluation.graph_two_hop),
    ("customers like you, lately", Evaluation.customers_like_you),
    ("bought together (EASE), lately", Evaluation.bought_together),
    ("stock LightFM", Evaluation.stock_lightfm),
    ("LightFM collaborative", lambda e: e.lightfm(hybrid=False)),
    ("LightFM hybrid", lambda e: e.lightfm(hybrid=True)),
)
SERVED = "blended (served)"


def evaluate(split: Split, blend: Blend, progress: Callable[[str], None] = lambda name: None) -> list[Row]:
    """Every recommender on the same split under both protocols, in the order of the table;
    ``blend`` is what serves (``tuning.choose_blend`` on the split's training period is what a
    training on it would serve)."""
    evaluation = Evaluation(split)
    rows: list[Row] = []
    for name, compute in BY_SCORE:
        progress(name)
        started = time.perf_counter()
        scores = compute(evaluation)
        seconds = time.perf_counter() - started
        rows += [evaluation.measure(name, p, evaluation.ranked(scores, p), seconds) for p in PROTOCOLS]
    progress(SERVED)
    started = time.perf_counter()
    sources = evaluation.sources(evaluation.shoppers(evaluation.customers))
    seconds = time.perf_counter() - started
    rows.append(
        evaluation.measure(
            SERVED, "new", sources.served(replace(blend, offer_again=OfferAgain.NEVER)), seconds
        )
    )
    rows.append(evaluation.measure(SERVED, "again", sources.served(blend), seconds))
    return rows
