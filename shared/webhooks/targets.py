"""Which URLs a webhook may point at, and which addresses a delivery may connect to (SSRF safety).

In AWS (TargetPolicy.PUBLIC) a target is `https://` to a host name or a public address, without a user or a
password; a name must resolve to public addresses only, checked at registration and again on the address a
delivery connects to. The local stack (TargetPolicy.LOOPBACK) allows loopback targets alone, over http or https,
so nothing a test registers can reach beyond the machine. Resolving a name is the caller's: these rules are pure.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from shared.webhooks.rules import MAX_URL_LENGTH

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
                                ipaddress.ip_address("169.254.170.2")})
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
LOCAL_NAMES = ("localhost",)


class TargetPolicy(StrEnum):
    PUBLIC = "public"
    LOOPBACK = "loopback"


class TargetRefused(ValueError):
    """A URL or an address a webhook may not reach; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # a name, or an address without brackets
    port: int
    path: str  # with the query, "/" at least
    address: Address | None  # the host, when it is an address

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if isinstance(self.address, ipaddress.IPv6Address) else self.host
        default = {"https": 443, "http": 80}[self.scheme]
        return host if self.port == default else f"{host}:{self.port}"


def parse_target(url: str, policy: TargetPolicy) -> Target:
    """The target of a webhook URL, or TargetRefused. A host name is checked here only for what its text shows;
    its addresses are checked with check_addresses once resolved."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(character.isspace() or ord(character) < 0x20 or ord(character) == 0x7F for character in url):
        raise TargetRefused("the URL has spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"not a URL: {error}") from None
    if port == 0:
        raise TargetRefused("the URL's port is 0")
    allowed_schemes = ("https",) if policy is TargetPolicy.PUBLIC else ("http", "https")
    if parts.scheme not in allowed_schemes:
        raise TargetRefused(f"the URL must start with {' or '.join(s + '://' for s in allowed_schemes)}")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise TargetRefused("the URL may not carry a user or a password")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("the URL has no host")
    address = _address(host)
    if address is not None:
        refusal = address_refusal(address, policy)
        if refusal:
            raise TargetRefused(f"the URL's address is {refusal}")
    elif policy is TargetPolicy.PUBLIC and (host in LOCAL_NAMES or host.endswith(".localhost")):
        raise TargetRefused("the URL's host is the machine itself")
    elif policy is TargetPolicy.LOOPBACK and host not in LOCAL_NAMES:
        raise TargetRefused("the local stack delivers only to loopback: http://127.0.0.1:<port>/ or "
                            "http://localhost:<port>/")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, str(address) if address is not None else host.lower(),
                  port or {"https": 443, "http": 80}[parts.scheme], path, address)


def check_addresses(target: Target, addresses: list[Address], policy: TargetPolicy) -> Address:
    """The address to connect to among those the target's host resolved to: every one must be allowed (a name with
    one private address among public ones is refused as a whole), and the first is used."""
    if not addresses:
        raise TargetRefused(f"{target.host} does not resolve")
    for address in addresses:
        refusal = address_refusal(address, policy)
        if refusal:
            raise TargetRefused(f"{target.host} resolves to {refusal}")
    return addresses[0]


def address_refusal(address: Address, policy: TargetPolicy) -> str | None:
    """Why a delivery may not connect to `address` (None: it may)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None and policy is TargetPolicy.PUBLIC:
        # 2002::/16 carries an IPv4 address a 6to4 tunnel would reach (2002:a9fe:a9fe:: is 169.254.169.254).
        embedded = address_refusal(address.sixtofour, policy)
        if embedded:
            return f"{address}, a 6to4 address of {embedded}"
    if policy is TargetPolicy.LOOPBACK:
        return None if address.is_loopback else f"{address}, not loopback (the local stack delivers to loopback only)"
    if address in METADATA_ADDRESSES:
        return f"{address}, the cloud's metadata address"
    if address.is_loopback:
        return f"{address}, a loopback address"
    if address.is_link_local:
        return f"{address}, a link-local address"
    if address in SHARED_ADDRESS_SPACE:
        return f"{address}, a shared (carrier-grade NAT) address"
    if address.is_private:
        return f"{address}, a private-network address"
    if address.is_multicast or address.is_unspecified or address.is_reserved or not address.is_global:
        return f"{address}, not a public address"
    return None


def parse_address(text: str) -> Address:
    """An address as a resolver returns it (an IPv6 one may carry its zone: fe80::1%eth0)."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def _address(host: str) -> Address | None:
    try:
        return parse_address(host)
    except ValueError:
        return None

