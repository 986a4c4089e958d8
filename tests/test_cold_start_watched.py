"""Through the pipeline: a new brand whose first poll found nothing has been watched since that poll's lookback.

A live source's first poll reads back ``lookback_hours``; when nothing was posted then (a small or new brand), the
detector used to start its clock at the first mention, learn its first 15 minutes as the usual rate and miss a
burst in them (issue 12: "a day-one burst of 30+ people in 15 minutes pages within 10 minutes"). The watched,
empty hours are observed zeros now, so such a burst pages, while a brand's ordinary sparse first posts do not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from monitor.clock import ManualClock, as_utc
from monitor.detection.warmup import forget_detectors, watched_since
from monitor.pipeline import poll_if_due, run_detection
from monitor.runtime import Runtime
from monitor.storage.tables import SourceState
from tests.fakes.hn_api import FakeHN
from tests.fakes.settings_files import make_settings
from tests.test_cold_start_first_poll import Rows, opened, store

POLL = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # the brand's first poll: nothing in its 6-hour lookback
STEP = timedelta(minutes=5)
GRACE = timedelta(seconds=61)


def first_poll(tmp_path: Path) -> Runtime:
    """Brands acme (the burst) and calm (ordinary first posts), each with an HN source polled once at 10:00."""
    api = FakeHN(clock=lambda: POLL).start()
    try:
        sources = [{"id": f"hn-{b}", "kind": "hackernews", "brand": b, "base_url": api.url, "lookback_hours": 6,
                    "timeout_seconds": 5} for b in ("acme", "calm")]
        settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
                                 detection={"engine": "adaptive"}, sources=sources,
                                 brands=[{"id": "acme", "name": "Acme"}, {"id": "calm", "name": "Calm"}])
        runtime = Runtime(settings, clock=ManualClock(POLL))
        for source in ("hn-acme", "hn-calm"):
            result = poll_if_due(runtime.engine, settings, runtime.connector(source), now=POLL)
            assert result.ok and result.new == 0, result
    finally:
        api.stop()
    return runtime


def test_a_burst_minutes_after_an_empty_first_poll_pages_and_sparse_first_posts_do_not(tmp_path: Path) -> None:
    forget_detectors()
    runtime, rows = first_poll(tmp_path), Rows(5)
    with Session(runtime.engine) as session:
        assert watched_since(session, runtime.settings, "acme") == POLL - timedelta(hours=6)
    people = {0: 15, 1: 20}  # 35 negative people at 10:03-10:08 (posted within each bucket at random seconds)
    for i in range(6):
        burst = [r for r in rows.bucket("acme", POLL + i * STEP, people.get(i, 0), 2)
                 if i != 0 or as_utc(r["posted_at"]) >= POLL + timedelta(minutes=3)]
        calm = rows.bucket("calm", POLL + i * STEP, i % 2, 1)  # a new brand's few first posts
        store(runtime.engine, burst + calm)
        run_detection(runtime.engine, runtime.settings, now=POLL + (i + 1) * STEP + GRACE)
    spikes = opened(runtime.engine)
    assert "acme" in spikes and spikes["acme"] <= POLL + timedelta(minutes=13), spikes
    assert "calm" not in spikes
    runtime.engine.dispose()
    forget_detectors()


def test_a_source_that_never_polled_claims_no_watched_time(tmp_path: Path) -> None:
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
                             sources=[{"id": "hn-acme", "kind": "hackernews", "brand": "acme"}])
    runtime = Runtime(settings, clock=ManualClock(POLL))
    with Session(runtime.engine) as session:
        assert watched_since(session, settings, "acme") is None
        session.add(SourceState(id="hn-acme", brand_id="acme", kind="hackernews", status="failing"))
        session.commit()
        assert watched_since(session, settings, "acme") is None  # tried and failed: it covered nothing
    runtime.engine.dispose()
