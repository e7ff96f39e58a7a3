"""Benchmark suite (`make bench`): prints its figures and saves them under bench/results/."""

from __future__ import annotations

import argparse

from bench import (
    admin_pages,
    analytics,
    api_latency,
    attribution,
    customer_app,
    emails,
    graph_queries,
    import_online_retail,
    intents,
    messages,
    movielens,
    recommenders,
    talking,
    visionboards,
)

SUITES = {
    "import": import_online_retail.run,
    "admin": admin_pages.run,
    "api": api_latency.run,
    "graph": graph_queries.run,
    "recommendations": recommenders.run,
    "emails": emails.run,
    "visionboards": visionboards.run,
    "movielens": movielens.run,
    "intents": intents.run,
    "messages": messages.run,
    "attribution": attribution.run,
    "talking": talking.run,
    "analytics": analytics.run,
    "app": customer_app.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("suites", nargs="*", help=f"any of {sorted(SUITES)} (default: all)")
    chosen = parser.parse_args().suites or list(SUITES)
    unknown = sorted(set(chosen) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    for name in chosen:
        SUITES[name]()


if __name__ == "__main__":
    main()
