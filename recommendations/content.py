"""Content similarity: products whose names and descriptions read like what the customer has.

Each product is a TF-IDF vector (scikit-learn) of its name, description and category name,
sublinear term frequencies, unit length. A customer's profile is the sum of the vectors of
what it has, weighted by orders; its candidates are the products closest to that profile, each
explained by the product it has that is closest to it. Works for any catalogue with words in
it, and for products nobody has bought yet.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Sum
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from catalog.models import Product
from recommendations.blending import POOL, Candidates, Shopper
from recommendations.cache import market_generation

_lock = threading.Lock()
_built: dict[tuple[object, ...], ContentIndex] = {}
PROFILE_PRODUCTS = 50  # a customer's most ordered products that make its profile


@dataclass(frozen=True)
class ContentIndex:
    product_ids: list[int]
    names: list[str]
    row: dict[int, int]
    vectors: sparse.csr_matrix  # products × terms, unit rows

    @classmethod
    def of(cls, products: Sequence[tuple[int, str, str]]) -> ContentIndex:
        """From (product id, name, text) triples."""
        ids = [pk for pk, _, _ in products]
        texts = [text for _, _, text in products]
        vectors = sparse.csr_matrix(np.zeros((len(ids), 0), dtype=np.float32))
        if any(text.strip() for text in texts):
            words = r"(?u)\b[^\W\d_]{2,}\b"  # two letters or more, no digits: codes and sizes say little
            vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=words, dtype=np.float32)
            try:
                vectors = vectorizer.fit_transform(texts).tocsr()
            except ValueError:  # not one word of two letters in the whole catalogue
                vectors = sparse.csr_matrix(np.zeros((len(ids), 0), dtype=np.float32))
        return cls(ids, [name for _, name, _ in products], {pk: i for i, pk in enumerate(ids)}, vectors)


def content_index() -> ContentIndex:
    """The catalogue's index, built once per process until products are added, edited or removed,
    or an import changes the shop."""
    state = Product.objects.aggregate(
        count=Count("pk"), last=Max("pk"), total=Sum("pk"), edited=Max("updated_at")
    )
    key = (state["count"], state["last"], state["total"], state["edited"], market_generation())
    with _lock:
        if key not in _built:
            rows = Product.objects.values_list("pk", "name", "description", "category__name").order_by("pk")
            index = ContentIndex.of(
                [
                    (pk, name, f"{name} {description} {category or ''}")
                    for pk, name, description, category in rows
                ]
            )
            _built.clear()
            _built[key] = index
        return _built[key]


def content_candidates(shoppers: Sequence[Shopper], index: ContentIndex) -> dict[int, Candidates]:
    """Per customer with a history, the products closest to what it has, best first."""
    known = [s for s in shoppers if any(pk in index.row for pk in s.bought)]
    if not known or not index.vectors.shape[1]:
        return {}
    rows, cols, values = [], [], []
    owned: list[list[int]] = []
    for i, shopper in enumerate(known):
        top = [pk for pk, _ in shopper.bought.most_common() if pk in index.row][:PROFILE_PRODUCTS]
        owned.append([index.row[pk] for pk in top])
        rows += [i] * len(top)
        cols += owned[-1]
        values += [float(shopper.bought[pk]) for pk in top]
    weights = sparse.csr_matrix((values, (rows, cols)), shape=(len(known), len(index.product_ids)))
    scores = np.asarray((weights @ index.vectors @ index.vectors.T).todense())
    found = {}
    for i, shopper in enumerate(known):
        mine = set(owned[i])
        best = np.argsort(-scores[i], kind="stable")[: POOL // 2 + len(mine)]
        order = [int(j) for j in best if scores[i, j] > 0 and j not in mine][: POOL // 2]
        if not order:
            continue
        nearest = np.asarray((index.vectors[order] @ index.vectors[owned[i]].T).todense()).argmax(axis=1)
        because = [index.names[owned[i][n]] for n in nearest]
        found[shopper.customer_id] = Candidates(
            [index.product_ids[j] for j in order],
            ["content"] * len(order),
            [f"Similar to {name}, which you bought" for name in because],
        )
    return found
