"""Serving the workspace: `groundswell users`, and `groundswell run` with [web] enabled (real sockets)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from monitor.clock import ManualClock
from monitor.service.scheduler import Service
from monitor.settings import load_settings
from monitor.storage.engine import open_database
from monitor.web.accounts import authenticate, list_users
from tests.fakes.settings_files import service_settings_toml
from tests.fakes.web_seed import NOW


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def users_cli(database: Path, *args: str, password: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", "users", "--database", str(database), *args],
                          input=password + "\n", capture_output=True, text=True, timeout=120, cwd=database.parent)


def test_users_add_stores_only_a_hash_and_refuses_weak_input_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "gs.db"
    added = users_cli(database, "add", "ana", "--role", "operator", password="a long passphrase")
    assert added.returncode == 0, added.stderr
    engine = open_database(f"sqlite:///{database}")
    found = authenticate(engine, "ana", "a long passphrase")
    assert found is not None and found.role == "operator"
    # (never open() the database file itself here: closing it drops this process's SQLite locks)
    hashes = [user.password_hash for user in list_users(engine)]
    assert len(hashes) == 1 and hashes[0].startswith("$argon2id$") and "a long passphrase" not in hashes[0]
    for args, password, problem in ((("add", "bob"), "short", "too short"),
                                    (("add", "ana"), "another long one", "exists"),
                                    (("add", "<b>"), "another long one", "not allowed")):
        refused = users_cli(database, *args, password=password)
        assert refused.returncode == 1 and problem in refused.stderr and "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert users_cli(database, "disable", "ana").returncode == 0
    assert authenticate(engine, "ana", "a long passphrase") is None


def test_run_serves_the_workspace_beside_the_health_endpoints(tmp_path: Path) -> None:
    web_port, metrics_port = free_port(), free_port()
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data", f'metrics_address = "127.0.0.1:{metrics_port}"',
                                          f'[web]\nenabled = true\naddress = "127.0.0.1:{web_port}"\n'))
    service = Service(load_settings(path), clock=ManualClock(NOW))
    service.start()
    try:
        login = httpx.get(f"http://127.0.0.1:{web_port}/login", timeout=10)
        assert login.status_code == 200 and 'name="csrf"' in login.text
        assert httpx.get(f"http://127.0.0.1:{web_port}/incidents", timeout=10).status_code == 303
        health = httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "alive"  # no sign-in for probes
        readyz = httpx.get(f"http://127.0.0.1:{web_port}/readyz", timeout=10)
        assert readyz.status_code in (200, 503) and readyz.json()["database"] == "ok"
        metrics = httpx.get(f"http://127.0.0.1:{web_port}/metrics", timeout=10)
        assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
        assert "groundswell_outbox_depth" in metrics.text and "<html" not in metrics.text
        assert service.http is None  # one address: the standalone health server is not started
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{metrics_port}/healthz", timeout=2)
    finally:
        assert service.shutdown() is True
    assert service.web is not None and not service.web.thread.is_alive()
