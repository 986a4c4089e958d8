"""What the fault runs share: a real `groundswell run` process and its readiness, and for the hostile files
and bad configurations one case runner: each case's input written to its own folder, a `groundswell`
command run on it, a hang or a traceback judged the same way (the counting webhook receiver is
``tests.fakes.webhook_receiver``, shared with tests/test_db_flap.py).

The service always runs from this checkout (PYTHONPATH), not from an installed copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
Maker = Callable[[Path], Path]  # writes a case's input into its folder and returns its path
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


def file_maker(name: str, content: bytes) -> Maker:
    """A case whose input is ``content`` as the file ``name`` in the case's folder."""
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path
    return make


def case_folders(workdir: Path, prefix: str, cases: dict[str, Any], limit: int) -> Iterator[tuple[str, Any, Path]]:
    """The first ``limit`` cases, each with a fresh folder of its own."""
    for n, (name, case) in enumerate(list(cases.items())[:max(0, limit)]):
        folder = workdir / f"{prefix}{n:02d}"
        folder.mkdir(parents=True)
        yield name, case, folder


def monitor_command(config: Path, args: list[str], timeout: float) -> subprocess.CompletedProcess[str] | None:
    """`groundswell --config CONFIG ARGS...` from this checkout; None when it ran past ``timeout`` (a hang)."""
    try:
        return subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout, env=ENV)
    except subprocess.TimeoutExpired:
        return None


def crash(done: subprocess.CompletedProcess[str] | None) -> str | None:
    """"hang" or "traceback", the two verdicts every case shares; None when the command ended on its own terms."""
    if done is None:
        return "hang"
    return "traceback" if "Traceback" in done.stdout + done.stderr else None


def slack_keys(messages: dict[str, Any]) -> Counter[str]:
    """How many messages the Slack stand-in holds per idempotency key (every alert, thread replies included)."""
    return Counter(str((m.metadata or {}).get("event_payload", {}).get("idempotency_key", ""))
                   for m in messages.values())
