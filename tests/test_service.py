"""The service's jobs, reload and shutdown in-process (real DB, real webhook receiver), and the
`groundswell run` process with its signals, lock and endpoints."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from sqlmodel import Session, func, select

from monitor.clock import ManualClock
from monitor.service.scheduler import Service
from monitor.settings import load_settings
from monitor.storage.engine import transaction
from monitor.storage.retention import purge
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem, SourceState
from tests.fakes.processes import free_port, http_ok, wait_for
from tests.fakes.service_files import T0, write_config


def webhook(url: str) -> str:
    """A webhook channel, and a page budget that lets the three big-account pages through."""
    return f'[[channels]]\nid = "hook"\nkind = "webhook"\nurl = "{url}"\n[detection]\npages_per_week = 10\n'


def test_jobs_record_metrics_and_deliver_through_the_outbox(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    settings = load_settings(write_config(tmp_path, extra_sources=webhook(httpserver.url_for("/hook"))))
    service = Service(settings, clock=ManualClock(T0))
    service.poll("file")
    service.score()
    service.detect()
    service.deliver()
    metrics = service.metrics.render().decode()
    assert 'groundswell_mentions_ingested_total{source="file"} 30.0' in metrics
    assert "groundswell_mentions_scored_total 30.0" in metrics
    assert "groundswell_incidents_opened_total 3.0" in metrics
    assert 'groundswell_alerts_sent_total{channel="hook"} 3.0' in metrics
    assert service.metrics.registry.get_sample_value("groundswell_last_successful_poll_timestamp_seconds",
                                                     {"source": "file"}) == T0.timestamp()
    keys = {request.headers["Idempotency-Key"] for request, _ in httpserver.log}
    assert len(httpserver.log) == 3 and len(keys) == 3


def test_failed_deliveries_and_polls_are_counted_and_backoff_is_respected(tmp_path: Path,
                                                                          httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("busy", status=503)
    path = write_config(tmp_path, extra_sources=webhook(httpserver.url_for("/hook")))
    settings = load_settings(path)
    service = Service(settings, clock=ManualClock(T0))
    service.poll("file")
    service.score()
    service.detect()
    service.deliver()
    # the first 503 rests the channel: its other two alerts wait for the next probe instead of failing too
    assert 'groundswell_alerts_failed_total{channel="hook"} 1.0' in service.metrics.render().decode()
    service.deliver()  # at once again: the channel is resting, nothing is tried
    assert 'groundswell_alerts_failed_total{channel="hook"} 1.0' in service.metrics.render().decode()
    with Session(service.runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.channel_id == "hook", OutboxItem.status == "pending")).one() == 3
    (tmp_path / "mentions.jsonl").rename(tmp_path / "gone.jsonl")
    fresh = Service(settings, clock=ManualClock(T0))  # a new connector: the file is re-read and missing
    fresh.poll("file")
    fresh.poll("file")  # inside the backoff: skipped, not counted again
    assert 'groundswell_poll_errors_total{source="file"} 1.0' in fresh.metrics.render().decode()
    with Session(fresh.runtime.engine) as session:
        state = session.get(SourceState, "file")
        assert state is not None and state.consecutive_failures == 1 and (state.cursor or {}).get("line") == 31


def test_reload_swaps_valid_settings_and_keeps_the_old_on_bad_ones(tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    path = write_config(tmp_path)
    service = Service(load_settings(path), clock=ManualClock(T0))
    service._schedule()
    assert {job.id for job in service.scheduler.get_jobs()} >= {"poll:file", "score", "detect", "deliver",
                                                                "retention", "digest:acme"}
    second = '[[sources]]\nid = "more"\nkind = "replay"\nbrand = "acme"\npath = "x.jsonl"\n'
    write_config(tmp_path, extra_sources=second)
    assert service.reload() is True
    assert service.scheduler.get_job("poll:more") is not None and len(service.settings.sources) == 2
    path.write_text(path.read_text().replace("score_interval_seconds = 1", "score_interval_seconds = 0"))
    with caplog.at_level(logging.ERROR, logger="groundswell.service"):
        assert service.reload() is False
    assert "reload refused, keeping the running configuration: service.score_interval_seconds" in caplog.text
    assert len(service.settings.sources) == 2
    write_config(tmp_path, 'metrics_address = "127.0.0.1:1"')
    path.write_text(path.read_text().replace(f'data_dir = "{tmp_path / "data"}"', 'data_dir = "elsewhere"'))
    assert service.reload() is False and "database.url changed; that needs a restart" in caplog.text


def test_shutdown_waits_for_running_jobs_and_refuses_new_ones(tmp_path: Path) -> None:
    service = Service(load_settings(write_config(tmp_path)), clock=ManualClock(T0))
    ran: list[str] = []
    guarded = service._guarded("score", lambda: ran.append("ran"))
    guarded()
    assert service.shutdown() is True
    guarded()
    assert ran == ["ran"]  # stopping: the second call did nothing
    failing = Service(load_settings(write_config(tmp_path)), clock=ManualClock(T0))
    failing._guarded("detect", lambda: 1 / 0)()
    assert 'groundswell_job_errors_total{job="detect"} 1.0' in failing.metrics.render().decode()


def test_shutdown_lets_a_running_job_finish_but_is_bounded(tmp_path: Path) -> None:
    import threading

    path = write_config(tmp_path, "shutdown_timeout_seconds = 0.2")
    service = Service(load_settings(path), clock=ManualClock(T0))
    started, release = threading.Event(), threading.Event()
    job = threading.Thread(target=service._guarded("poll:file", lambda: (started.set(), release.wait(5))))
    job.start()
    started.wait(5)
    assert service.shutdown() is False  # still running after 0.2 s: the caller exits anyway
    release.set()
    job.join()
    patient = Service(load_settings(write_config(tmp_path)), clock=ManualClock(T0))
    started.clear()
    job = threading.Thread(target=patient._guarded("score", lambda: (started.set(), time.sleep(0.3))))
    job.start()
    started.wait(5)
    assert patient.shutdown() is True  # waited for the job, then closed the engine
    assert not job.is_alive()


def test_retention_keeps_recent_mentions_and_open_incidents(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path))
    service = Service(settings, clock=ManualClock(T0))
    service.poll("file")
    engine = service.runtime.engine
    old = T0 - timedelta(days=400)
    with transaction(engine) as session:
        session.add(Mention(brand_id="acme", source_id="file", platform="x", external_id="old", text="old",
                            posted_at=old, ingested_at=old))
        for key, status in (("gone", "resolved"), ("kept", "open")):
            incident = Incident(brand_id="acme", key=key, trigger="story", status=status, opened_at=old,
                                updated_at=old, last_activity_at=old, resolved_at=old if status == "resolved"
                                else None)
            session.add(incident)
            session.flush()
            alert = Alert(incident_id=incident.id or 0, event="opened", severity=1, created_at=old)
            session.add(alert)
            session.flush()
            session.add(OutboxItem(alert_id=alert.id or 0, channel_id="c", idempotency_key=key, status="sent",
                                   next_attempt_at=old))
    purged = purge(engine, settings, now=T0, batch=7)
    assert (purged.mentions, purged.incidents) == (1, 1)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Mention)).one() == 30
        assert [i.key for i in session.exec(select(Incident)).all()] == ["kept"]
        assert session.exec(select(func.count()).select_from(OutboxItem)).one() == 1


def test_digest_job_writes_the_brands_report(tmp_path: Path) -> None:
    service = Service(load_settings(write_config(tmp_path)), clock=ManualClock(T0 + timedelta(days=1)))
    service.poll("file")
    service.score()
    service.digest("acme")
    assert "Acme" in (tmp_path / "data" / "digests" / "acme-2026-11-02.html").read_text()


def test_run_process_lock_reload_json_logs_and_clean_exit(tmp_path: Path) -> None:
    port = free_port()
    body = f'metrics_address = "127.0.0.1:{port}"\n'
    path = write_config(tmp_path, body)
    path.write_text(path.read_text().replace("[app]\n", '[app]\nlog_format = "json"\n'))
    command = [sys.executable, "-m", "monitor", "--config", str(path), "run"]
    env = {**os.environ, "SLACK_TOKEN_NEVER_LOGGED": "xoxb-secret"}
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    try:
        assert wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/readyz")), "never became ready"
        second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert f"another groundswell instance is running against {tmp_path / 'data' / 'groundswell.db'} " \
               f"(pid {process.pid})" in " ".join(second.stderr.split())
        good = path.read_text()
        path.write_text(good + "\n[oops\n")
        process.send_signal(signal.SIGHUP)
        metrics = f"http://127.0.0.1:{port}/metrics"
        assert wait_for(lambda: 'groundswell_mentions_scored_total 30.0' in httpx.get(metrics).text)
        path.write_text(good)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert len(events) == len(err.splitlines()), err  # every line is a JSON object
    messages = [e["event"] for e in events]
    assert any("reload refused, keeping the running configuration" in m and "not valid TOML" in m
               for m in messages)
    assert any("received SIGTERM" in m for m in messages) and messages[-1] == "groundswell stopped"
    assert "xoxb-secret" not in err


def test_logs_mask_credentials_from_any_logger(capsys: pytest.CaptureFixture[str]) -> None:
    import structlog

    from monitor.logs import configure_logging

    configure_logging("info", "json")
    try:
        logging.getLogger("httpx.lib").warning("POST https://bot:hunter2@hooks.example/x Bearer abcdefghijklmnop")
        structlog.get_logger("ours").info("token", value="xoxb-1234567890-secret", note="password=pa55 ok")
    finally:
        configure_logging("info", "console")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["event"] == "POST https://bot:***@hooks.example/x Bearer ***" and lines[0]["logger"] == "httpx.lib"
    assert lines[1]["value"] == "xox*-***" and lines[1]["note"] == "password=*** ok"


def test_reload_rebuilds_detectors_when_sensitivity_changes(tmp_path: Path) -> None:
    from monitor.detection.warmup import detector_for

    path = write_config(tmp_path)
    service = Service(load_settings(path), clock=ManualClock(T0))
    with Session(service.runtime.engine) as session:
        before = detector_for(session, service.settings, service.settings.brands[0], T0)
    assert before.cfg.sensitivity == "default"
    path.write_text(path.read_text().replace("[model]", '[detection]\nsensitivity = "high"\n[model]'))
    assert service.reload() is True and service.settings.detection.sensitivity == "high"
    with Session(service.runtime.engine) as session:
        after = detector_for(session, service.settings, service.settings.brands[0], T0)
    assert after.cfg.sensitivity == "high"


def test_info_logs_one_line_per_poll_and_delivery_and_a_heartbeat(tmp_path: Path, httpserver: HTTPServer,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    from monitor.logs import plural

    assert plural(1, "failure") == "1 failure" and plural(2, "delivery", "deliveries") == "2 deliveries"
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    path = write_config(tmp_path, extra_sources=webhook(httpserver.url_for("/hook")))
    service = Service(load_settings(path), clock=ManualClock(T0))
    with caplog.at_level(logging.INFO, logger="groundswell.service"):
        service.poll("file")
        service.score()
        service.detect()
        service.deliver()
        service.heartbeat()
    lines = [r.getMessage() for r in caplog.records if r.name == "groundswell.service"]
    assert any(line.startswith("poll file: 30 fetched, 30 new in ") for line in lines), lines
    assert sum(line.startswith("delivery: sent alert") for line in lines) == 3
    assert "alive; last 15 min: 1 poll, 30 mentions new, 30 scored, 3 incidents opened, 3 alerts sent" in lines


def test_a_job_kicked_while_it_runs_runs_again_at_once(tmp_path: Path) -> None:
    """A poll that stored new rows kicks `score`; when scoring was still running, APScheduler skipped the kick
    ("maximum number of running instances reached", seen at every start) and the new rows waited 30 s."""
    import threading

    service = Service(load_settings(write_config(tmp_path)), clock=ManualClock(T0))
    service.scheduler.start(paused=True)
    started, release = threading.Event(), threading.Event()
    ran: list[int] = []

    def score() -> None:
        ran.append(len(ran))
        started.set()
        release.wait(5)

    job = threading.Thread(target=service._guarded("score", score))
    job.start()
    assert started.wait(5)
    service._kick("score")  # new rows arrived while scoring ran
    service._kick("score")  # twice: still one more run, not two
    release.set()
    job.join(5)
    assert ran == [0, 1] and not job.is_alive()
    service._guarded("score", score)()
    assert ran == [0, 1, 2]  # not kicked this time: once
    service.shutdown()
