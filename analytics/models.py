"""Aggregates marketers read over time, kept up to date incrementally and rebuildable from the
rows they summarise."""

from analytics import attribution_models  # noqa: F401 - attribution's models, in a module of their own
