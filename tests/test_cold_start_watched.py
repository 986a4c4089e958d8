"""Through the pipeline: a new brand whose first poll found nothing has been watched since that poll's lookback.

A live source's first poll reads back ``lookback_hours``; when nothing was posted then (a small or new brand), the
detector used to learn its first 15 minutes as its usual rate and miss a burst in them (issue 12: "a day-one burst
of 30+ people in 15 minutes pages within 10 minutes"). The sources' record (``sources.last_success_at`` less the
lookback) now tells the detector that its past was watched and quiet, so such a burst pages, while a brand's sparse
first posts do not; it holds when detection ran before the first poll and after a restart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from monitor.clock import ManualClock, as_utc
from monitor.detection.warmup import forget_detectors, watched_since
from monitor.detection.watched import early_burst
from monitor.pipeline import poll_if_due, run_detection
from monitor.runtime import Runtime
from monitor.storage.tables import SourceState
from tests.fakes.hn_api import FakeHN
from tests.fakes.settings_files import make_settings
from tests.test_cold_start_first_poll import Rows, opened, store

POLL = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # the brands' first poll: nothing in its 6-hour lookback
STEP = timedelta(minutes=5)
GRACE = timedelta(seconds=61)


def first_poll(tmp_path: Path, detect_first: bool = False) -> Runtime:
    """Brands acme (the burst) and calm (ordinary first posts), each with an HN source polled once at 10:00 against
    a real HN search API that has nothing on either; ``detect_first``: a detection pass runs before the polls."""
    api = FakeHN(clock=lambda: POLL).start()
    try:
        sources = [{"id": f"hn-{b}", "kind": "hackernews", "brand": b, "base_url": api.url, "lookback_hours": 6,
                    "timeout_seconds": 5} for b in ("acme", "calm")]
        settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
                                 detection={"engine": "adaptive"}, sources=sources,
                                 brands=[{"id": "acme", "name": "Acme"}, {"id": "calm", "name": "Calm"}])
        runtime = Runtime(settings, clock=ManualClock(POLL))
        if detect_first:  # the service's first pass: no source has polled, so nothing is known of the past
            run_detection(runtime.engine, settings, now=POLL - timedelta(minutes=1))
        for source in ("hn-acme", "hn-calm"):
            result = poll_if_due(runtime.engine, settings, runtime.connector(source), now=POLL)
            assert result.ok and result.new == 0, result
    finally:
        api.stop()
    return runtime


def burst_and_calm(runtime: Runtime, restart_after: int | None = None) -> dict[str, datetime]:
    """35 negative people on acme at 10:03-10:08, a few ordinary first posts on calm; a pass every 5 minutes."""
    rows, people = Rows(5), {0: 15, 1: 20}
    for i in range(6):
        burst = [r for r in rows.bucket("acme", POLL + i * STEP, people.get(i, 0), 1)
                 if i != 0 or as_utc(r["posted_at"]) >= POLL + timedelta(minutes=3)]
        store(runtime.engine, burst + rows.bucket("calm", POLL + i * STEP, i % 2, 1))
        run_detection(runtime.engine, runtime.settings, now=POLL + (i + 1) * STEP + GRACE)
        if i == restart_after:
            forget_detectors()  # the service restarts: detectors are rebuilt from stored mentions and sources
    return opened(runtime.engine)


def test_a_burst_minutes_after_an_empty_first_poll_pages_and_sparse_first_posts_do_not(tmp_path: Path) -> None:
    forget_detectors()
    runtime = first_poll(tmp_path)
    with Session(runtime.engine) as session:
        assert watched_since(session, runtime.settings, "acme") == POLL - timedelta(hours=6)
    spikes = burst_and_calm(runtime)
    assert "acme" in spikes and spikes["acme"] <= POLL + timedelta(minutes=13), spikes
    assert "calm" not in spikes
    runtime.engine.dispose()
    forget_detectors()


def test_detection_before_the_first_poll_and_a_restart_in_the_burst_still_page_it(tmp_path: Path) -> None:
    forget_detectors()
    runtime = first_poll(tmp_path, detect_first=True)
    spikes = burst_and_calm(runtime, restart_after=0)
    assert "acme" in spikes and spikes["acme"] <= POLL + timedelta(minutes=13), spikes
    assert "calm" not in spikes
    runtime.engine.dispose()
    forget_detectors()


def test_until_every_source_with_a_lookback_has_polled_the_past_is_unknown(tmp_path: Path) -> None:
    sources = [{"id": "hn-acme", "kind": "hackernews", "brand": "acme", "lookback_hours": 6},
               {"id": "hn-acme2", "kind": "hackernews", "brand": "acme"},
               {"id": "feed", "kind": "rss", "brand": "acme", "feeds": ["https://example.org/feed.xml"]}]
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, sources=sources)
    runtime = Runtime(settings, clock=ManualClock(POLL))
    with Session(runtime.engine) as session:
        assert watched_since(session, settings, "acme") is None
        session.add(SourceState(id="hn-acme", brand_id="acme", kind="hackernews", status="ok", last_success_at=POLL))
        session.add(SourceState(id="hn-acme2", brand_id="acme", kind="hackernews", status="failing"))
        session.commit()
        assert watched_since(session, settings, "acme") is None  # hn-acme2 tried and failed: it covered nothing
        state = session.get(SourceState, "hn-acme2")
        assert state is not None
        state.last_success_at = POLL + timedelta(minutes=2)
        session.commit()  # the feed has no lookback and tells nothing; HN's default reads 24 h back
        assert watched_since(session, settings, "acme") == POLL - timedelta(hours=6)
    runtime.engine.dispose()


def test_complaints_at_their_usual_rate_are_no_burst_a_rise_above_it_is() -> None:
    steady = [[10.0, 10.0, 11.4]] * 3  # a complaint-heavy brand since its first bucket: 10 people, 88 % negative
    assert all(early_burst(steady[:n]) is None for n in (1, 2, 3))
    assert early_burst([*steady, [14.0, 14.0, 15.0]]) is None  # a busier, more negative 5 minutes: its usual rate
    assert early_burst([*steady, [31.0, 31.0, 32.0]]) is not None  # three times its usual people: a burst
    assert early_burst([[1.0, 1.0, 4.0], [16.0, 16.0, 17.0]]) is not None  # a small brand's burst
    assert early_burst([[4.0, 4.0, 16.0], [16.0, 16.0, 20.0]]) is None  # 80 % negative: everyday chatter with it
