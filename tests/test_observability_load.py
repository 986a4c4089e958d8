"""The metrics server under idle and slow clients (issue 13.11): bounded threads, every client timed out."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx

from monitor.clock import ManualClock
from monitor.service.observability import ObservabilityServer
from monitor.storage.engine import open_database
from tests.fakes.readiness import T0, readiness


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(10)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_300_idle_connections_do_not_become_300_threads(tmp_path: Path) -> None:
    probe = readiness(open_database(f"sqlite:///{tmp_path}/obs.db"), ManualClock(T0))
    assert probe.metrics is not None
    server = ObservabilityServer("127.0.0.1:0", probe.metrics, probe, request_timeout=1.0, workers=4).start()
    host, port = server.address.rsplit(":", 1)
    before = threading.active_count()
    idle: list[socket.socket] = []
    try:
        for _ in range(300):  # connect, then say nothing (a port scanner, a stuck client, a slowloris)
            idle.append(socket.create_connection((host, int(port)), timeout=5))
        time.sleep(0.5)
        extra_threads = threading.active_count() - before
        assert extra_threads <= 4, f"{extra_threads} threads for 300 idle connections"
        assert sum(closed_by_server(sock) for sock in idle[:20]) == 20  # each is cut off, none waits forever
        deadline = time.monotonic() + 30
        answered = False
        while not answered and time.monotonic() < deadline:  # and the server answers probes again
            try:
                answered = httpx.get(f"http://{server.address}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answered
        assert threading.active_count() - before <= 4
    finally:
        for sock in idle:
            sock.close()
        server.stop()
