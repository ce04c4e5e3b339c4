"""Where a webhook may point: the server-side request forgery rules.

Deployed stages send only to `https://` on public addresses. Private, loopback,
link-local (the instance metadata service, 169.254.169.254 and fd00:ec2::254, is one),
shared, reserved and multicast addresses are refused, also when written as IPv6
(IPv4-mapped `::ffff:10.0.0.1`, NAT64 `64:ff9b::a00:1`). The local stage also allows
`http://127.0.0.1` and `http://localhost`, for a receiver on the developer's machine.

A name is checked on the addresses it resolves to, at registration and again at every
delivery; the delivery then connects to the address that was checked, so that a
second lookup cannot swap in another one.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
# IPv6 forms whose last 32 bits are an IPv4 address, judged by it: IPv4-compatible (::/96),
# -mapped (::ffff:0:0/96), -translated (::ffff:0:0:0/96) and NAT64's well-known prefix. 6to4
# (2002::/16) carries one too, in bits 16-48; local-use NAT64 (64:ff9b:1::/48) places its own
# way and is refused outright.
_IPV4_TAILS = [ipaddress.IPv6Network(n) for n in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")]
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
# Printable ASCII but the space: what a URL is on the wire.
_WIRE_FORM = re.compile(r"[\x21-\x7e]+")


class UnsafeUrl(ValueError):
    """The URL may not be called; the message says why, for the 400 and the delivery log."""


class Unresolvable(UnsafeUrl):
    """The host has no address now."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (A and AAAA)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return False
        if address.sixtofour is not None:
            return is_public(address.sixtofour)
        if any(address in tails for tails in _IPV4_TAILS):
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return address.is_global and not address.is_multicast


def parse(url: str, *, allow_local: bool) -> Target:
    """The URL's parts, or `UnsafeUrl` when its form alone is not allowed. It must be sent as
    it is called: `urlsplit` drops tabs and line breaks and keeps spaces that the request
    line would then encode, so the URL shown would not be the URL called."""
    if not _WIRE_FORM.fullmatch(url):
        raise UnsafeUrl("must be ASCII without spaces (percent-encode other characters; a name in its xn-- form)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl("is not a valid URL") from exc
    host = (parts.hostname or "").lower()
    local = allow_local and host in LOCAL_HOSTS
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise UnsafeUrl("must be an https:// URL")
    if not host or parts.username is not None or parts.password is not None:
        raise UnsafeUrl("must name a host and no user or password")
    if parts.fragment:
        raise UnsafeUrl("must not have a fragment")
    if port == 0:
        raise UnsafeUrl("must not name port 0")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _allowed(address: IpAddress, target: Target, allow_local: bool) -> bool:
    return is_public(address) or (allow_local and target.host in LOCAL_HOSTS and address.is_loopback)


def resolve(target: Target, *, allow_local: bool, resolver: Resolver) -> str:
    """The one checked address to connect to; `UnsafeUrl` when any address of the host is
    not allowed (a name with one private address among public ones is refused whole)."""
    literal = _literal(target.host)
    try:
        addresses = (
            [literal] if literal is not None else [ipaddress.ip_address(a) for a in resolver(target.host, target.port)]
        )
    except (OSError, ValueError) as exc:
        raise Unresolvable("host does not resolve") from exc
    if not addresses:
        raise Unresolvable("host does not resolve")
    for address in addresses:
        if not _allowed(address, target, allow_local):
            raise UnsafeUrl("must not point at a private, loopback, link-local or metadata address")
    return str(addresses[0])


def check_registration(url: str, *, allow_local: bool, resolver: Resolver) -> None:
    """At registration: the form, and the addresses the host has now. A name that does
    not resolve yet is accepted; every delivery resolves and checks it again."""
    target = parse(url, allow_local=allow_local)
    with contextlib.suppress(Unresolvable):
        resolve(target, allow_local=allow_local, resolver=resolver)
