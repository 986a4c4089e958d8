"""The command line as a user runs it: a real process, a real settings file, a real database."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fakes.cli_runner import ROWS, config, groundswell


def test_help_explains_every_command(tmp_path: Path) -> None:
    done = groundswell("--help", cwd=tmp_path)
    assert done.returncode == 0
    for command in ("demo", "run", "poll", "check", "sources", "db"):
        assert command in done.stdout
    assert "Poll one SOURCE" in groundswell("poll", "--help", cwd=tmp_path).stdout


def test_poll_once_reports_counts_and_skipped_lines(tmp_path: Path) -> None:
    path = config(tmp_path, ROWS)
    first = groundswell("--config", str(path), "poll", "file", "--once", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "fetched 3, new 3, skipped 1" in first.stdout
    assert "line 4" in first.stderr
    sources = groundswell("--config", str(path), "sources", cwd=tmp_path)
    assert "file" in sources.stdout and "replay" in sources.stdout
    assert "quiet (nothing for > 1440 min" in sources.stdout  # its newest post is weeks old: suspicious


def test_poll_of_an_unknown_source_names_the_known_ones(tmp_path: Path) -> None:
    done = groundswell("--config", str(config(tmp_path, ROWS)), "poll", "nope", "--once", cwd=tmp_path)
    assert done.returncode == 2 and "no source with id 'nope' (known: file)" in done.stderr


def test_check_and_db_upgrade(tmp_path: Path) -> None:
    path = config(tmp_path, ROWS)
    assert groundswell("--config", str(path), "db", "upgrade", cwd=tmp_path).returncode == 0
    done = groundswell("--config", str(path), "check", cwd=tmp_path)
    assert done.returncode == 0 and "source file (replay)" in done.stdout


def test_run_serves_until_sigterm_and_exits_cleanly(tmp_path: Path) -> None:
    path = config(tmp_path, ROWS)
    process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(path), "run"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    database = tmp_path / "data" / "groundswell.db"
    import sqlite3

    stored = 0
    while time.monotonic() < deadline and stored < 3:
        time.sleep(0.5)
        if database.exists():
            try:
                stored = sqlite3.connect(database).execute(
                    "select count(*) from mentions where sentiment is not null").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert stored == 3, err
    assert process.returncode == 0, err


def test_channels_test_sends_a_real_message(tmp_path: Path) -> None:
    path = config(tmp_path, ROWS)
    done = groundswell("--config", str(path), "channels", "test", "console", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Test message" in done.stdout and "sent to console" in done.stdout
    missing = groundswell("--config", str(path), "channels", "test", "slack", cwd=tmp_path)
    assert missing.returncode == 2 and "no enabled channel 'slack' (known: console)" in missing.stderr


def test_sources_shows_the_read_budget_of_a_paid_source(tmp_path: Path) -> None:
    path = config(tmp_path, ROWS)
    path.write_text(path.read_text() + '''
[[sources]]
id = "x-acme"
kind = "x"
brand = "acme"
bearer_token = { env = "TEST_X_TOKEN" }
base_url = "http://127.0.0.1:9"
monthly_read_budget = 30000
''')
    done = groundswell("--config", str(path), "sources", cwd=tmp_path, env={"TEST_X_TOKEN": "placeholder"})
    assert done.returncode == 0, done.stderr
    assert "0 of 30,000 posts read in" in done.stdout and "never polled" in done.stdout
