"""A local stand-in for Slack's Web API and incoming webhooks, served by a real HTTP server in a thread.

Routes: ``POST /api/chat.postMessage``, ``/api/chat.update``, ``/api/auth.test``,
``/api/apps.connections.open`` (the app-level token; answers ``socket_url``, a Socket Mode server), ``GET
/api/conversations.history`` and ``/api/conversations.replies`` (Slack-shaped JSON, message metadata
returned with ``include_all_metadata``, ``Authorization: Bearer <token>`` checked) and ``POST
/hooks/<anything>`` (incoming webhook: ``ok``).  ``answer_delay`` holds each chat.postMessage answer back
after the message is recorded (the window a crash during delivery falls into); ``wait_for_posts`` waits
until a number of messages were recorded.
Queue failures with ``fail_next(...)``: an HTTP status (429 with Retry-After, 500) or a Slack error
code (``invalid_auth``, ``channel_not_found``...), or status 0 to hang up without answering;
consumed one per request in order.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CHANNEL_IDS = {"#alerts": "C0ALERTS1", "#managers": "C0MANAGE1"}


@dataclass
class Call:
    method: str  # "chat.postMessage", "chat.update", "auth.test" or "webhook"
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Failure:
    status: int = 200
    error: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Posted:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    updates: int = 0
    metadata: dict[str, Any] | None = None


class FakeSlack:
    def __init__(self, token: str = "xoxb-test-token", app_token: str = "xapp-1-test-token") -> None:
        self.token, self.app_token = token, app_token
        self.socket_url = ""  # what apps.connections.open answers (a ws:// Socket Mode server)
        self.calls: list[Call] = []
        self.messages: dict[str, Posted] = {}  # by ts
        self.failures: deque[Failure] = deque()
        self._lock = threading.Lock()
        self._next_ts = 1_700_000_000_000100
        self._server: ThreadingHTTPServer | None = None
        self.answer_delay = 0.0
        self._posted = threading.Condition(self._lock)

    # -- control ------------------------------------------------------------------------------------
    def fail_next(self, status: int = 200, error: str = "", retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        default = {429: "ratelimited", 500: "internal_error"}.get(status, "")
        self.failures.append(Failure(status, error or default, headers))

    def wait_for_posts(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` messages were recorded; False on timeout."""
        with self._posted:
            return self._posted.wait_for(lambda: len(self.messages) >= count, timeout)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    @property
    def base(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, port: int = 0) -> FakeSlack:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- behaviour ----------------------------------------------------------------------------------
    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        body = _parse(headers.get("content-type", ""), raw)
        method = "webhook" if path.startswith("/hooks/") else path.removeprefix("/api/")
        with self._lock:
            self.calls.append(Call(method, body, headers))
            failure = self.failures.popleft() if self.failures else None
            if failure is not None and failure.status == 0:  # "reset": hang up without an answer
                return 0, {}, b""
            if method == "webhook":  # webhooks answer plain text: "ok" or an error code with a 4xx/5xx
                if failure is None:
                    return 200, {}, b"ok"
                status = failure.status if failure.status != 200 else 400
                return status, failure.headers, failure.error.encode()
            if failure is not None and failure.status != 200:
                error = json.dumps({"ok": False, "error": failure.error}).encode()
                return failure.status, failure.headers, error
            if failure is not None:
                return 200, {}, json.dumps({"ok": False, "error": failure.error}).encode()
            if method == "apps.connections.open":
                ok = headers.get("authorization") == f"Bearer {self.app_token}" and self.socket_url
                answer = {"ok": True, "url": self.socket_url} if ok else {"ok": False, "error": "invalid_auth"}
                return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()
            if headers.get("authorization") != f"Bearer {self.token}":
                return 200, {}, json.dumps({"ok": False, "error": "invalid_auth"}).encode()
            answer = self._api(method, body)
        if method == "chat.postMessage" and answer.get("ok") and self.answer_delay:
            time.sleep(self.answer_delay)  # the message is posted; the answer is still on its way
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    def _api(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "team": "Test Team", "user": "groundswell", "team_id": "T0TEST"}
        channel = CHANNEL_IDS.get(body.get("channel", ""), body.get("channel", ""))
        if not channel.startswith("C"):
            return {"ok": False, "error": "channel_not_found"}
        if method == "chat.postMessage":
            self._next_ts = max(self._next_ts + 100, int(time.time() * 1_000_000))  # Slack's ts: wall-clock time
            ts = f"{self._next_ts // 1_000_000}.{self._next_ts % 1_000_000:06d}"
            self.messages[ts] = Posted(channel, ts, body.get("text", ""), body.get("blocks", []),
                                       body.get("thread_ts"), metadata=body.get("metadata"))
            self._posted.notify_all()
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": body.get("text", "")}}
        if method == "chat.update":
            posted = self.messages.get(body.get("ts", ""))
            if posted is None or posted.channel != channel:
                return {"ok": False, "error": "message_not_found"}
            posted.text, posted.blocks = body.get("text", ""), body.get("blocks", [])
            posted.updates += 1
            return {"ok": True, "channel": channel, "ts": posted.ts, "text": posted.text}
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, channel, body)
        return {"ok": False, "error": "unknown_method"}

    def _history(self, method: str, channel: str, query: dict[str, Any]) -> dict[str, Any]:
        """Newest first; history lists top-level messages, replies a thread (its root first, as Slack does)."""
        oldest = float(query.get("oldest") or 0)
        if method == "conversations.history":
            found = [m for m in self.messages.values() if m.channel == channel and m.thread_ts is None]
        else:
            root = query.get("ts", "")
            found = [m for m in self.messages.values() if m.channel == channel and root in (m.ts, m.thread_ts)]
        found = sorted((m for m in found if float(m.ts) >= oldest), key=lambda m: float(m.ts), reverse=True)
        with_metadata = str(query.get("include_all_metadata", "")).lower() in ("1", "true")
        return {"ok": True, "has_more": False, "messages": [
            {"type": "message", "ts": m.ts, "text": m.text, **({"thread_ts": m.thread_ts} if m.thread_ts else {}),
             **({"metadata": m.metadata} if with_metadata and m.metadata else {})}
            for m in found[: int(query.get("limit") or 100)]]}


def _parse(content_type: str, raw: bytes) -> dict[str, Any]:
    if "json" in content_type:
        parsed: dict[str, Any] = json.loads(raw or b"{}")
        return parsed
    form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
    for key in ("blocks", "metadata"):  # form-encoded requests carry these as JSON strings
        if isinstance(form.get(key), str):
            form[key] = json.loads(form[key])
    return form


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            headers["content-type"] = "application/x-www-form-urlencoded"  # the query, parsed like a form
            self._answer(*fake.handle(parts.path, headers, parts.query.encode()))

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            self._answer(*fake.handle(self.path, headers, raw))

        def _answer(self, status: int, extra: dict[str, str], payload: bytes) -> None:
            if status == 0:
                self.close_connection = True
                return
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client died waiting (a kill -9 test)
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler
