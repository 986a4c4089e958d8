"""Run ``groundswell`` as a user does: a real process from a folder, with a real settings file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.settings_files import service_settings_toml

ROOT = Path(__file__).resolve().parents[2]  # the checkout (parents[1] was tests/)


def groundswell(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120,
                input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run this checkout's code (PYTHONPATH), not whatever copy is installed, from ``cwd`` (``input_text``: what
    the user types at the prompts, one answer a line)."""
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, input=input_text,
                          env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT), **(env or {})})


def config(tmp_path: Path, rows: list[dict]) -> Path:
    data = tmp_path / "mentions.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows) + "{broken\n")
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data", body=f"""
[[sources]]
id = "file"
kind = "replay"
brand = "acme"
path = "{data}"
[[channels]]
id = "console"
kind = "console"
"""))
    return path


ROWS = [{"id": str(i), "text": f"Acme outage number {i}, terrible", "posted_at": "2026-11-01T10:00:00Z",
         "author_id": f"a{i}"} for i in range(3)]


def one_line_failure(done: subprocess.CompletedProcess[str], code: int) -> str:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr
