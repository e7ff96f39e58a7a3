"""Product images from a URL, fetched so that a board can never be turned against us.

Only http and https; the host is resolved once and every address it resolves to
must be public (not private, loopback, link-local, shared, reserved or
multicast, nor an IPv6 form that leads to such an IPv4 address), and the
connection goes to that checked address, so a second DNS answer cannot slip a
private one in. Redirects are followed by hand, each hop checked the same way.
The body is read in chunks against a byte cap and one deadline for the whole
fetch. What comes back is opened by ``images.open_image``, which decides the
format from the bytes, never from the URL or the headers.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECTS = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024


class ImageRefused(Exception):
    """Why an image was not used; the board draws a fallback tile instead and logs this."""


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    seconds: float
    redirects: int = 3

    @classmethod
    def configured(cls) -> FetchLimits:
        return cls(
            max_bytes=settings.VISION_BOARD_IMAGE_MAX_BYTES, seconds=settings.VISION_BOARD_FETCH_SECONDS
        )


# IPv6 prefixes whose last 32 bits are an IPv4 address that a host, a translator or a relay
# reaches for us: IPv4-compatible, IPv4-mapped, IPv4-translated (SIIT) and NAT64's well-known
# prefix (which DNS64 hands out for every IPv4-only host, so it is checked, not refused).
IPV4_IN_LAST_32_BITS = tuple(
    ipaddress.IPv6Network(net) for net in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# Refused outright: local-use NAT64 (where the IPv4 address sits depends on the operator's
# prefix) and Teredo (a tunnel to an obfuscated IPv4 client, retired, never an image host).
REFUSED_IPV6 = tuple(ipaddress.IPv6Network(net) for net in ("64:ff9b:1::/48", "2001::/32"))


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to (the forms above, and 6to4's ``2002::/16``)."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if any(address in network for network in IPV4_IN_LAST_32_BITS):
        return ipaddress.IPv4Address(address.packed[-4:])
    return address.sixtofour


def public_address(address: Address) -> bool:
    """Whether a fetch may connect to ``address``: a global unicast address; for an IPv6 address
    that carries an IPv4 one (``embedded_ipv4``), the IPv4 address decides."""
    if isinstance(address, ipaddress.IPv6Address) and any(address in net for net in REFUSED_IPV6):
        return False
    embedded = embedded_ipv4(address)
    if embedded is not None:
        return public_address(embedded)
    return address.is_global and not address.is_multicast


def configured_policy() -> Callable[[Address], bool]:
    """Public addresses, plus the networks of ``VISION_BOARD_FETCH_ALSO_FROM``."""
    networks = [ipaddress.ip_network(cidr, strict=False) for cidr in settings.VISION_BOARD_FETCH_ALSO_FROM]

    def allowed(address: Address) -> bool:
        reached = embedded_ipv4(address) or address
        return public_address(address) or any(reached in network for network in networks)

    return allowed


def fetch_image_bytes(
    url: str, limits: FetchLimits, *, allowed: Callable[[Address], bool] = public_address
) -> bytes:
    """The body at ``url``, or :class:`ImageRefused` saying why not. ``allowed`` decides which
    addresses may be connected to (tests serve from loopback)."""
    deadline = time.monotonic() + limits.seconds
    for _ in range(limits.redirects + 1):
        response = _request(url, deadline, allowed)
        try:
            if response.status in REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise ImageRefused(f"{url}: a redirect without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise ImageRefused(f"{url}: HTTP {response.status}")
            return _body(response, url, limits.max_bytes, deadline)
        finally:
            response.release_conn()
    raise ImageRefused(f"{url}: more than {limits.redirects} redirects")


def _request(url: str, deadline: float, allowed: Callable[[Address], bool]) -> urllib3.BaseHTTPResponse:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImageRefused(f"{url}: only http and https URLs with a host are fetched")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(parts.hostname, port, allowed, url)
    timeout = urllib3.Timeout(total=_remaining(deadline, url))
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            str(address),
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            timeout=timeout,
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(address), port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        return pool.urlopen(
            "GET", path, headers={"Host": parts.netloc, "Accept": "image/*", "Accept-Encoding": "identity",
                                  "User-Agent": "vision-boards"},
            redirect=False, retries=False, preload_content=False, decode_content=False,
        )  # fmt: skip
    except urllib3.exceptions.HTTPError as exc:
        raise ImageRefused(f"{url}: {exc}") from exc


def _checked_address(host: str, port: int, allowed: Callable[[Address], bool], url: str) -> Address:
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except OSError as exc:
        raise ImageRefused(f"{url}: {host} does not resolve ({exc})") from exc
    addresses = sorted((ipaddress.ip_address(a.split("%")[0]) for a in found), key=str)
    refused = [a for a in addresses if not allowed(a)]
    if refused or not addresses:
        raise ImageRefused(
            f"{url}: {host} resolves to an address not fetched from ({refused[0] if refused else 'none'})"
        )
    return addresses[0]


def _body(response: urllib3.BaseHTTPResponse, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ImageRefused(f"{url}: {int(declared):,} bytes, more than {max_bytes:,}")
    chunks, size = [], 0
    try:
        while chunk := response.read1(CHUNK):  # what one receive brings: a drip cannot outlast the deadline
            size += len(chunk)
            if size > max_bytes:
                raise ImageRefused(f"{url}: more than {max_bytes:,} bytes")
            _remaining(deadline, url)
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as exc:
        raise ImageRefused(f"{url}: {exc}") from exc
    return b"".join(chunks)


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ImageRefused(f"{url}: too slow")
    return left
