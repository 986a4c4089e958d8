"""The instance lock survives a database outage (issue 13.2): re-taken after it, or this instance stops.

A real ``groundswell run`` talks to PostgreSQL through a TCP proxy that the test cuts and restores;
a second real ``groundswell run`` tries to start meanwhile.  Never two instances at work.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.fakes.processes import proxied_urls as urls
from tests.fakes.processes import readiness, start, stop, wait_for
from tests.fakes.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow  # two real services and an outage, about 30 s


def test_the_lock_is_taken_again_after_an_outage_and_a_second_instance_is_still_refused(
        postgres_url: str, pg_schema: str, tmp_path: Path) -> None:
    target = make_url(postgres_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    via_proxy, direct = urls(postgres_url, pg_schema, proxy)
    first, port = start(tmp_path, "first", via_proxy)
    try:
        assert wait_for(lambda: readiness(port).get("instance_lock") == "held"), (tmp_path / "first.log").read_text()
        proxy.cut()  # the database is gone for this instance: its lock went with the connection
        assert wait_for(lambda: readiness(port).get("instance_lock") == "lost", 30)
        time.sleep(2)
        proxy.restore()
        assert wait_for(lambda: readiness(port).get("instance_lock") == "held", 30), (
            (tmp_path / "first.log").read_text())
        second, _ = start(tmp_path, "second", direct)
        assert second.wait(120) == 1  # refused: the first one holds the lock again
        assert "another groundswell instance is running" in (tmp_path / "second.log").read_text()
        log = (tmp_path / "first.log").read_text()
        assert "instance lock lost" in log and "instance lock re-acquired; jobs resume" in log
        assert first.poll() is None
    finally:
        stop(first)
        proxy.close()


def test_an_instance_whose_lock_was_taken_during_the_outage_stops(postgres_url: str, pg_schema: str,
                                                                   tmp_path: Path) -> None:
    target = make_url(postgres_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    via_proxy, direct = urls(postgres_url, pg_schema, proxy)
    first, port = start(tmp_path, "first", via_proxy)
    second: subprocess.Popen[str] | None = None
    try:
        assert wait_for(lambda: readiness(port).get("instance_lock") == "held"), (tmp_path / "first.log").read_text()
        proxy.cut()
        assert wait_for(lambda: readiness(port).get("instance_lock") == "lost", 30)
        second, second_port = start(tmp_path, "second", direct)  # starts while the first is cut off
        assert wait_for(lambda: readiness(second_port).get("instance_lock") == "held"), (
            (tmp_path / "second.log").read_text())
        proxy.restore()
        assert first.wait(60) == 1  # the first one stops: never two at work
        log = (tmp_path / "first.log").read_text()
        assert "instance lock taken by another instance while the database was away; stopping this one" in log
        assert "Traceback" not in log
        assert second.poll() is None and readiness(second_port).get("instance_lock") == "held"
    finally:
        stop(first)
        if second is not None:
            stop(second)
        proxy.close()
