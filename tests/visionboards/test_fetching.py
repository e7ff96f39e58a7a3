"""The fetcher against a real HTTP server on loopback (allowed only where a test says so)."""

from __future__ import annotations

import ipaddress
import time

import pytest

from tests.visionboards.loopback import png
from visionboards.fetching import Address, FetchLimits, ImageRefused, fetch_image_bytes, public_address

LIMITS = FetchLimits(max_bytes=200_000, seconds=1.0)


def loopback_only(address: Address) -> bool:
    """This test's server is on loopback: allow that one address and keep every other rule."""
    return address == ipaddress.ip_address("127.0.0.1") or public_address(address)


def test_an_image_is_fetched_and_redirects_followed(server: str) -> None:
    assert fetch_image_bytes(f"{server}/photo.png", LIMITS, allowed=loopback_only) == png()
    assert fetch_image_bytes(f"{server}/to-photo", LIMITS, allowed=loopback_only) == png()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/photo.png",
        "http://localhost/photo.png",
        "http://10.1.2.3/photo.png",
        "http://192.168.0.10/photo.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/photo.png",
        "http://[::ffff:127.0.0.1]/photo.png",
        "http://100.64.0.1/photo.png",
        "http://0.0.0.0/photo.png",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url: str) -> None:
    with pytest.raises(ImageRefused, match="not fetched from"):
        fetch_image_bytes(url, LIMITS)


INNER = {"loopback": "127.0.0.1", "private": "10.0.0.1", "metadata": "169.254.169.254", "home": "192.168.1.1"}


def hextets(v4: str, *, inverted: bool = False) -> str:
    value = int(ipaddress.IPv4Address(v4)) ^ (0xFFFFFFFF if inverted else 0)
    return f"{value >> 16:x}:{value & 0xFFFF:x}"


# Each IPv6 form that leads to an IPv4 address through a host, a translator or a relay.
CARRIERS = {
    "IPv4-compatible": "::{v4}",
    "IPv4-mapped": "::ffff:{v4}",
    "IPv4-translated": "::ffff:0:{v4}",
    "NAT64": "64:ff9b::{v4}",
    "local NAT64": "64:ff9b:1::{v4}",
    "6to4": "2002:{hextets}::1",
    "Teredo": "2001:0:4136:e378:8000:63bf:{inverted}",
}


@pytest.mark.parametrize("inner", INNER.values(), ids=INNER.keys())
@pytest.mark.parametrize("form", CARRIERS.values(), ids=CARRIERS.keys())
def test_ipv6_forms_of_a_private_ipv4_address_are_refused(form: str, inner: str) -> None:
    address = ipaddress.ip_address(
        form.format(v4=inner, hextets=hextets(inner), inverted=hextets(inner, inverted=True))
    )

    assert not public_address(address)
    with pytest.raises(ImageRefused, match="not fetched from"):
        fetch_image_bytes(f"http://[{address}]/photo.png", LIMITS)


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "2606:4700::1111",
        "::ffff:93.184.215.14",
        "64:ff9b::93.184.215.14",
        "2002:5db8:d70e::1",
    ],
)
def test_public_addresses_stay_allowed_in_every_form(address: str) -> None:
    assert public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("path", ["/to-metadata", "/to-private"])
def test_a_redirect_to_a_private_address_is_refused(server: str, path: str) -> None:
    with pytest.raises(ImageRefused, match="not fetched from"):
        fetch_image_bytes(f"{server}{path}", LIMITS, allowed=loopback_only)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/a.png", "gopher://x/", "http:///a.png"]
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(ImageRefused, match="only http and https"):
        fetch_image_bytes(url, LIMITS)


def test_an_oversized_body_is_refused(server: str) -> None:
    with pytest.raises(ImageRefused, match="more than 200,000"):
        fetch_image_bytes(f"{server}/large", LIMITS, allowed=loopback_only)


def test_a_slow_body_is_cut_off_at_the_deadline(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(ImageRefused, match=r"too slow|timed out"):
        fetch_image_bytes(
            f"{server}/drip", FetchLimits(max_bytes=200_000, seconds=0.5), allowed=loopback_only
        )
    assert time.monotonic() - started < 1.5  # the drip alone would take two seconds


def test_redirect_loops_end(server: str) -> None:
    with pytest.raises(ImageRefused, match="more than 3 redirects"):
        fetch_image_bytes(f"{server}/loop", LIMITS, allowed=loopback_only)


def test_missing_images_are_refused_with_the_status(server: str) -> None:
    with pytest.raises(ImageRefused, match="HTTP 404"):
        fetch_image_bytes(f"{server}/nothing.png", LIMITS, allowed=loopback_only)
