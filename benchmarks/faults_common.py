"""What the fault runs share: a real `groundswell run` process, its readiness, a counting webhook receiver.

The service always runs from this checkout (PYTHONPATH), not from an installed copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
# One page per complaint: no weekly page budget in the way, no spike facet that joins the posts.
DETECTION = "[detection]\npages_per_week = 100000\nreach_page_reactions = 20\nmin_negative = 100000\n"


def settings_toml(data_dir: Path, metrics_port: int, body: str, database_url: str = "") -> str:
    """A service with 1 s stages, the lexicon model and brand acme; ``body`` adds sources and channels."""
    database = f'[database]\nurl = "{database_url}"\n' if database_url else ""
    return (f'[app]\ndata_dir = "{data_dir}"\n[model]\nsentiment = "lexicon"\n'
            f'[service]\nscore_interval_seconds = 1\ndetect_interval_seconds = 1\ndeliver_interval_seconds = 1\n'
            f'metrics_address = "127.0.0.1:{metrics_port}"\n{database}'
            f'[[brands]]\nid = "acme"\nname = "Acme"\n{body}\n{DETECTION}')


def start_service(config: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"], cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT, env={**ENV, **(env or {})})


def wait_for(condition: Callable[[], bool], seconds: float = 60, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def own_lines(text: str) -> list[str]:
    """Lines that are not structured log lines (those start with a timestamp)."""
    return [ln for ln in text.splitlines() if ln.strip() and not ln[:4].isdigit()]


class WebhookReceiver:
    """A local webhook endpoint that counts high-reach deliveries per idempotency key (others apart)."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.other = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if b"high_reach" in body:
                    receiver.keys[self.headers.get("Idempotency-Key", "")] += 1
                else:
                    receiver.other += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def slack_keys(messages: dict[str, Any]) -> Counter[str]:
    """How many messages the Slack stand-in holds per idempotency key (every alert, thread replies included)."""
    return Counter(str((m.metadata or {}).get("event_payload", {}).get("idempotency_key", ""))
                   for m in messages.values())
