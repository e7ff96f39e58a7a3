"""Aggregates marketers read over time, kept up to date incrementally and rebuildable from the
rows they summarise."""
