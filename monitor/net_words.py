"""Network failures in plain words: which server could not be reached, why, and what to look at.

Every source and channel turns a transport exception (httpx, requests, urllib, smtplib, sockets) into one line
through :func:`unreachable`, so `groundswell check`, `sources` and the log say "cannot find the server
smtp.acme.example: check the spelling" instead of ``gaierror: [Errno -2] Name or service not known``.
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

_NOT_FOUND = ("name or service not known", "nodename nor servname", "temporary failure in name resolution",
              "no address associated", "getaddrinfo failed", "name resolution")


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (``__cause__``, ``__context__``, urllib's ``reason``, args)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 12:
        item = todo.pop(0)
        if any(item is s for s in seen):
            continue
        seen.append(item)
        nested = [item.__cause__, item.__context__, getattr(item, "reason", None),
                  *(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))]
        todo.extend(n for n in nested if isinstance(n, BaseException))
    return seen


def host_of(url: str) -> str:
    """``host`` or ``host:port`` of a URL, for messages (never the path, which may hold a token)."""
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1] or url


def unreachable(exc: BaseException, where: str) -> str:
    """One plain line for a failure to reach ``where`` (a host, host:port or a URL's host)."""
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain).lower()
    if "UnsupportedProtocol" in names or "MissingSchema" in names or "InvalidSchema" in names:
        return f"{where} is not a web address: start it with https://"
    if any(isinstance(e, socket.gaierror) for e in chain) or any(p in text for p in _NOT_FOUND):
        return f"cannot find the server {where}: check the spelling of the address, or this machine's DNS"
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or "certificate verify failed" in text:
        return f"{where} sent a TLS certificate this machine does not trust (self-signed, expired or wrong name)"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "wrong version number" in text:
        return (f"TLS with {where} failed: does that port speak TLS? (email: port 587 with security = \"starttls\", "
                "465 with \"tls\"; a web address: http:// where the server has no https)")
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "connection refused" in text:
        return f"{where} refused the connection: nothing listens on that port (check the port, or that the server runs)"
    if any(isinstance(e, TimeoutError | socket.timeout) for e in chain) or "Timeout" in " ".join(names) \
            or "timed out" in text:
        return f"no answer from {where} in time: check the address and port, and any firewall between"
    if any(isinstance(e, ConnectionResetError) for e in chain) or "Disconnected" in " ".join(names) \
            or "connection reset" in text or "unexpectedly closed" in text:
        return f"{where} closed the connection early; it may be busy or expect another port or TLS setting"
    if any(isinstance(e, OSError) and getattr(e, "strerror", None) for e in chain):
        reason = next(e.strerror for e in chain if isinstance(e, OSError) and e.strerror)
        return f"cannot reach {where}: {reason}"
    return f"cannot reach {where} ({type(exc).__name__})"
