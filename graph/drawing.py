"""A small SVG picture of a profile subgraph, for the admin: no script, no external assets.

Layout is radial: the customer in the middle, similar customers close by,
interests on the middle ring (labelled outwards), products and then messages on
the outer ring, and beyond them what they belong to: products' categories,
messages' intents (labelled); the campaigns messages answer sit just inside.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from graph.queries import Subgraph

COLOURS = {"Customer": "#2563eb", "Interest": "#db2777", "Product": "#059669", "Category": "#d97706",
           "Message": "#7c3aed", "Intent": "#0891b2", "Campaign": "#64748b"}  # fmt: skip
RADIUS = {"Customer": 0.22, "Interest": 0.5, "Campaign": 0.65, "Product": 0.8, "Message": 0.8,
          "Category": 0.97, "Intent": 0.97}  # fmt: skip
NODE_SIZE = {
    "Customer": 9,
    "Interest": 7,
    "Product": 5,
    "Category": 4,
    "Message": 5,
    "Intent": 6,
    "Campaign": 5,
}
# Kinds spread evenly around a ring, one ring per tuple (kinds sharing one take turns).
RINGS = (("Customer",), ("Interest",), ("Product", "Message"))
# Kinds placed by what points to them: at the mean angle of the ring nodes with this edge.
ATTACHED_BY = {"Category": "BELONGS_TO", "Intent": "HAS_INTENT", "Campaign": "ABOUT"}
LABELLED = ("Customer", "Interest", "Intent")


def subgraph_svg(subgraph: Subgraph, *, width: int = 760, height: int = 500) -> SafeString:
    centre_x, centre_y, scale = width / 2, height / 2 - 12, min(width, height - 24) / 2 - 14
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for node in subgraph.nodes[1:]:
        by_kind.setdefault(node["label"], []).append(node)
    angles: dict[str, float] = {}
    for kinds in RINGS:
        members = [node for kind in kinds for node in by_kind.get(kind, [])]
        for index, node in enumerate(members):
            angles[node["id"]] = 2 * math.pi * index / len(members) - math.pi / 2 + RADIUS[kinds[0]]
    # what a node belongs to sits by its members: at the circular mean of their angles
    members_of: dict[str, list[float]] = {}
    for edge in subgraph.edges:
        if edge["type"] in ATTACHED_BY.values():
            members_of.setdefault(edge["target"], []).append(angles[edge["source"]])
    for kind in ATTACHED_BY:
        for node in by_kind.get(kind, []):
            around = members_of.get(node["id"], [0.0])
            angles[node["id"]] = math.atan2(sum(map(math.sin, around)), sum(map(math.cos, around)))
    position = {subgraph.nodes[0]["id"]: (centre_x, centre_y)} if subgraph.nodes else {}
    for node in subgraph.nodes[1:]:
        reach, angle = scale * RADIUS[node["label"]], angles[node["id"]]
        position[node["id"]] = (centre_x + reach * math.cos(angle), centre_y + reach * math.sin(angle))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Profile graph" '
        'style="background:#fff;border:1px solid #ddd;border-radius:4px">'
    ]
    for edge in subgraph.edges:
        (x1, y1), (x2, y2) = position[edge["source"]], position[edge["target"]]
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#cbd5e1"/>')
    for node in subgraph.nodes:
        x, y = position[node["id"]]
        label = escape(node["name"])
        kind = node["label"]
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_SIZE[kind]}" fill="{COLOURS[kind]}">'
            f"<title>{escape(kind)}: {label}</title></circle>"
        )
        if kind in LABELLED:
            # outwards from the centre, so labels on one ring do not cross each other
            dx, dy = x - centre_x, y - centre_y
            norm = math.hypot(dx, dy) or 1.0
            anchor = "middle" if abs(dx) < norm * 0.3 else "start" if dx > 0 else "end"
            lx, ly = x + 12 * dx / norm, y + 12 * dy / norm + (4 if norm > 1 else -12)
            parts.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="{anchor}" fill="#111">'
                f"{escape(node['name'][:24])}</text>"
            )
    for index, (kind, colour) in enumerate(COLOURS.items()):
        x = 12 + index * 100
        parts.append(f'<circle cx="{x}" cy="{height - 10}" r="5" fill="{colour}"/>')
        parts.append(f'<text x="{x + 9}" y="{height - 6}" font-size="11" fill="#333">{kind}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
