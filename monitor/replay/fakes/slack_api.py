"""A local stand-in for Slack's Web API and incoming webhooks, served by a real HTTP server in a thread.

Routes: ``POST /api/chat.postMessage``, ``/api/chat.update``, ``/api/auth.test`` (Slack-shaped JSON,
``Authorization: Bearer <token>`` checked) and ``POST /hooks/<anything>`` (incoming webhook: ``ok``).
Queue failures with ``fail_next(...)``: an HTTP status (429 with Retry-After, 500) or a Slack error
code (``invalid_auth``, ``channel_not_found``...), or status 0 to hang up without answering;
consumed one per request in order.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

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


class FakeSlack:
    def __init__(self, token: str = "xoxb-test-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[str, Posted] = {}  # by ts
        self.failures: deque[Failure] = deque()
        self._lock = threading.Lock()
        self._next_ts = 1_700_000_000_000100
        self._server: ThreadingHTTPServer | None = None

    # -- control ------------------------------------------------------------------------------------
    def fail_next(self, status: int = 200, error: str = "", retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        default = {429: "ratelimited", 500: "internal_error"}.get(status, "")
        self.failures.append(Failure(status, error or default, headers))

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
            if headers.get("authorization") != f"Bearer {self.token}":
                return 200, {}, json.dumps({"ok": False, "error": "invalid_auth"}).encode()
            return 200, {"Content-Type": "application/json"}, json.dumps(self._api(method, body)).encode()

    def _api(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "team": "Test Team", "user": "groundswell", "team_id": "T0TEST"}
        channel = CHANNEL_IDS.get(body.get("channel", ""), body.get("channel", ""))
        if not channel.startswith("C"):
            return {"ok": False, "error": "channel_not_found"}
        if method == "chat.postMessage":
            self._next_ts += 100
            ts = f"{self._next_ts // 1_000_000}.{self._next_ts % 1_000_000:06d}"
            self.messages[ts] = Posted(channel, ts, body.get("text", ""), body.get("blocks", []),
                                       body.get("thread_ts"))
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": body.get("text", "")}}
        if method == "chat.update":
            posted = self.messages.get(body.get("ts", ""))
            if posted is None or posted.channel != channel:
                return {"ok": False, "error": "message_not_found"}
            posted.text, posted.blocks = body.get("text", ""), body.get("blocks", [])
            posted.updates += 1
            return {"ok": True, "channel": channel, "ts": posted.ts, "text": posted.text}
        return {"ok": False, "error": "unknown_method"}


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

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, payload = fake.handle(self.path, headers, raw)
            if status == 0:
                self.close_connection = True
                return
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler
