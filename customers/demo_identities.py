"""Fictional names and addresses for the demo's customers (the Online Retail data has none).

Pure: an external id in, the same name and address out on every run. The surnames say
what the people are, and the addresses are on example.com and example.org, domains
reserved for examples (RFC 2606), so no demo email can reach a real person.
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

FIRST_NAMES = (
    "Ada", "Bruno", "Clara", "Dev", "Elif", "Finn", "Greta", "Hugo", "Ines", "Jonas", "Kaia", "Luca",
    "Maya", "Nils", "Olive", "Pablo", "Quinn", "Rosa", "Sami", "Tess", "Umar", "Vera", "Wren", "Yusuf",
)  # fmt: skip
SURNAMES = ("Demo", "Example", "Sample", "Specimen", "Testwell", "Mockford", "Placeholder", "Fictive")
DOMAINS = ("example.com", "example.org")


class DemoIdentity(NamedTuple):
    name: str
    email: str


def demo_identity(external_id: str) -> DemoIdentity:
    """The external id (a number in the demo; other text goes through its checksum) picks the
    names and ends the address, which makes the demo's addresses unique."""
    number = (
        int(external_id)
        if external_id.isascii() and external_id.isdigit()
        else zlib.crc32(external_id.encode())
    )
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    surname = SURNAMES[number // len(FIRST_NAMES) % len(SURNAMES)]
    local = f"{first}.{surname}.{number}".lower()
    return DemoIdentity(f"{first} {surname}", f"{local}@{DOMAINS[number % len(DOMAINS)]}")
