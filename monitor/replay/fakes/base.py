"""Local fake APIs: real HTTP servers on 127.0.0.1 in a thread, with faults a test can switch on.

Faults are sticky until ``clear()``: ``429``, ``401``, ``403``, ``500``, ``503``, ``truncated`` (half a
JSON body), ``slow`` (answers only after the client gave up), ``reset`` (closes the connection).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class FakeAPI:
    """Subclasses implement ``route(request) -> Reply`` and ``fault_reply(kind, request)``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.fault: str | None = None
        self.fault_prefix = ""
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    def start(self, port: int = 0) -> Self:
        """Serve on 127.0.0.1:``port`` (0: any free port, as tests want; `groundswell try` fixes them)."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                req = Request(
                    self.command,
                    parts.path,
                    {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                reply = api.dispatch(req)
                if reply is None:  # "reset": drop the connection without answering
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                if req.headers.get("connection", "").lower() == "close":
                    self.send_header("Connection", "close")  # as real servers do: the client must not reuse it
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._release.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def fail(self, kind: str, path_prefix: str = "") -> None:
        self.fault, self.fault_prefix = kind, path_prefix

    def clear(self) -> None:
        self.fault = None

    def dispatch(self, req: Request) -> Reply | None:
        self.requests.append(req)
        kind = self.fault if self.fault and req.path.startswith(self.fault_prefix) else None
        if kind == "reset":
            return None
        if kind == "slow":
            self._release.wait(10)  # the client times out first; stop() releases the thread
        if kind and kind not in ("slow", "truncated"):
            return self.fault_reply(kind, req)
        reply = self.route(req)
        if kind == "truncated":
            reply.body = reply.body[: max(1, len(reply.body) // 2)]
        return reply

    def route(self, req: Request) -> Reply:
        raise NotImplementedError

    def fault_reply(self, kind: str, req: Request) -> Reply:
        raise NotImplementedError


_TOKEN = re.compile(r'\(|\)|-?"[^"]*"|-?[^\s()]+')


def compile_query(query: str, term: Callable[[str], Callable[[Any], bool]]) -> Callable[[Any], bool]:
    """Parse a search query (OR, implicit AND, ``-x``/``NOT x``, parentheses, "phrases") to a predicate.

    ``term`` turns one bare token into a predicate; the grammar is shared by the X and Reddit fakes.
    """
    tokens = _TOKEN.findall(query)
    pos = 0

    def parse_or() -> Callable[[Any], bool]:
        nonlocal pos
        options = [parse_and()]
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            options.append(parse_and())
        return lambda item: any(p(item) for p in options)

    def parse_and() -> Callable[[Any], bool]:
        nonlocal pos
        parts = []
        while pos < len(tokens) and tokens[pos] not in ("OR", ")"):
            parts.append(parse_unary())
        return lambda item: all(p(item) for p in parts)

    def parse_unary() -> Callable[[Any], bool]:
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token in ("NOT", "-"):
            inner = parse_unary()
            return lambda item: not inner(item)
        if token == "(":
            inner = parse_or()
            pos += 1  # ")"
            return inner
        if token.startswith("-") and len(token) > 1:
            inner = term(token[1:])
            return lambda item: not inner(item)
        return term(token)

    return parse_or()


def text_term(token: str, text: str) -> bool:
    """Keyword match as search engines do it: case-insensitive, whole words, phrases in quotes."""
    needle = token.strip('"').lower()
    return re.search(r"(?<![\w@#$])" + re.escape(needle) + r"(?!\w)", text.lower()) is not None
