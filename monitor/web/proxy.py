"""Sign-in by a trusted reverse proxy: the proxy authenticated the user and names them in a header.

The header is believed only on connections whose peer address is one of ``web.trusted_proxies`` (uvicorn
runs with proxy_headers off, so the peer is the real socket address, not X-Forwarded-For); from anywhere
else it is ignored and the ordinary sign-in applies.  The named user must exist and be enabled: the
role comes from the database, never from the proxy.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import Request

from monitor.settings import WebSettings

Network = IPv4Network | IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(entry, strict=False) for entry in entries)


def trusted_peer(host: str | None, entries: tuple[str, ...]) -> bool:
    """True when ``host`` (the socket's peer) is inside one of the trusted networks."""
    if not host:
        return False
    try:
        peer = ip_address(host)
    except ValueError:
        return False
    if peer.version == 6 and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    return any(peer in network for network in _networks(entries))


def proxy_user(request: Request, web: WebSettings) -> str | None:
    """The user name the trusted proxy vouches for; None when there is no such header from a trusted peer."""
    if not web.trusted_proxy_header:
        return None
    if not trusted_peer(request.client.host if request.client else None, tuple(web.trusted_proxies)):
        return None
    name = request.headers.get(web.trusted_proxy_header, "").strip()
    return name[:64] or None
