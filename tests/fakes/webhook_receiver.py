"""A real local webhook endpoint that counts deliveries per idempotency key (the fault tests and benchmarks).

Deliveries whose body contains ``match`` (by default the high-reach pages the fault runs post) are
counted per ``Idempotency-Key`` in ``keys`` (a key seen twice is a repeat the receiver could drop);
every other delivery (the source-down alerts an outage also raises) only adds to ``other``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    def __init__(self, match: bytes = b"high_reach", delay: float = 0.0) -> None:
        self.keys: Counter[str] = Counter()
        self.other = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)  # latency widens the send-then-commit window a kill can aim at
                receiver._count(self.headers.get("Idempotency-Key", "") if match in body else None)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def _count(self, key: str | None) -> None:
        with self._lock:
            if key is None:
                self.other += 1
            else:
                self.keys[key] += 1

    @property
    def repeats(self) -> int:
        """Deliveries of a key already received (the same alert again, with the same key)."""
        return sum(n - 1 for n in self.keys.values())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
