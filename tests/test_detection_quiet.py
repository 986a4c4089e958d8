"""A detection pass costs work proportional to what changed (issue 17), and still does everything.

Quiet brands (nothing new, nothing open) cost no statement of their own: the pass sends the same
number of statements for 3 brands as for 30. Brands with open incidents still get resolved and
reminded, and a spike whose 5-minute bucket closes on a pass with no new mentions still opens.
Real SQLite and PostgreSQL; statements counted with an SQLAlchemy event listener on the engine.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from monitor.detection.warmup import forget_detectors
from monitor.pipeline import run_detection
from monitor.settings import Settings
from monitor.storage.engine import open_database
from monitor.storage.tables import Alert, Incident, Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
WORDS = ["outage", "billing", "router", "slow", "refund", "support", "login", "wifi", "charge", "fibre", "modem"]


def row(rng: random.Random, brand: str, key: str, posted: datetime, *, negative: bool, examined: bool,
        author: str | None = None) -> dict[str, Any]:
    return {"brand_id": brand, "source_id": f"s-{brand}", "platform": "x", "external_id": key, "url": "",
            "author_id": author or f"u{rng.randint(0, 10 ** 6)}", "author_handle": "someone", "author_followers": 50,
            "text": " ".join(rng.sample(WORDS, 6)), "posted_at": posted, "ingested_at": posted,
            "sentiment": "negative" if negative else "neutral", "p_negative": 0.9 if negative else 0.1,
            "scored_at": posted, "signals": {}, "detected_at": posted if examined else None}


def world(database_url: str, brands: int, **sections: Any) -> tuple[Settings, Engine]:
    """``brands`` brands with a day of examined, ordinary mentions each; every detector warm."""
    forget_detectors()
    settings = make_settings(database={"url": database_url}, detection={"engine": "adaptive"},
                             brands=[{"id": f"b{i}", "name": f"Brand {i}"} for i in range(brands)], **sections)
    engine = open_database(database_url)
    rng = random.Random(2)
    rows = [row(rng, f"b{b}", f"b{b}-h{n}", NOW - timedelta(minutes=rng.uniform(10, 24 * 60)),
                negative=rng.random() < 0.2, examined=True) for b in range(brands) for n in range(15)]
    with engine.begin() as connection:
        connection.execute(insert(Mention.__table__), rows)  # type: ignore[attr-defined]
    assert run_detection(engine, settings, now=NOW).changes == ()
    return settings, engine


@pytest.fixture
def statements() -> Iterator[Callable[[Engine, Callable[[], object]], int]]:
    def count(engine: Engine, work: Callable[[], object]) -> int:
        sent: list[str] = []

        def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            sent.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return len(sent)

    yield count
    forget_detectors()


def test_a_quiet_pass_sends_the_same_few_statements_for_3_brands_as_for_30(
        database_url: str, statements: Callable[[Engine, Callable[[], object]], int]) -> None:
    counts = []
    for brands in (3, 30):
        settings, engine = world(database_url, brands)
        later = NOW + timedelta(minutes=5)
        counts.append(statements(engine, lambda s=settings, e=engine, t=later: run_detection(e, s, now=t)))
        with Session(engine) as session:  # reset for the next size: a new world in the same database
            session.exec(Mention.__table__.delete())  # type: ignore[call-overload, attr-defined]
            session.commit()
        engine.dispose()
    assert counts[0] == counts[1] <= 2, counts


def test_open_incidents_still_resolve_and_remind_while_other_brands_are_quiet(database_url: str) -> None:
    settings, engine = world(database_url, 20, escalation={"unacknowledged_minutes": 30})
    with engine.begin() as connection:
        connection.execute(insert(Incident.__table__), [  # type: ignore[attr-defined]
            {"brand_id": "b3", "key": "spike:b3:old", "trigger": "spike", "severity": 2, "title": "t", "reason": "r",
             "opened_at": NOW - timedelta(hours=5), "updated_at": NOW - timedelta(hours=4),
             "last_activity_at": NOW - timedelta(hours=4), "status": "open", "details": {"told": ["opened:2"]}},
            {"brand_id": "b7", "key": "spike:b7:new", "trigger": "spike", "severity": 3, "title": "t", "reason": "r",
             "opened_at": NOW - timedelta(minutes=40), "updated_at": NOW - timedelta(minutes=40),
             "last_activity_at": NOW - timedelta(minutes=40), "status": "open", "details": {"told": ["opened:3"]}}])
    result = run_detection(engine, settings, now=NOW + timedelta(minutes=5))
    assert result.events == {"resolved": 1, "unacknowledged": 2}, result.changes  # b3 is reminded, then resolved
    with Session(engine) as session:
        old = session.exec(select(Incident).where(Incident.key == "spike:b3:old")).one()
        assert (old.status, old.resolved_by) == ("resolved", "auto (quiet)")
        events = {(a.incident_id, a.event) for a in session.exec(select(Alert))}
    assert len(events) == 3
    engine.dispose()


def test_a_spike_whose_bucket_closes_on_a_pass_with_nothing_new_still_opens(database_url: str) -> None:
    settings, engine = world(database_url, 10)
    rng = random.Random(9)
    burst = NOW + timedelta(minutes=6)  # 12:06 to 12:09: the 12:05 bucket, complete after 12:11
    rows = [row(rng, "b4", f"burst{i}", burst + timedelta(seconds=4 * i), negative=True, examined=False,
                author=f"angry{i}") for i in range(70)]
    with engine.begin() as connection:
        connection.execute(insert(Mention.__table__), rows)  # type: ignore[attr-defined]
    seen = run_detection(engine, settings, now=NOW + timedelta(minutes=10))  # reads the burst, bucket still open
    assert seen.changes == ()
    with Session(engine) as session:
        assert session.exec(select(Mention).where(Mention.external_id == "burst0")).one().detected_at is not None
    closed = run_detection(engine, settings, now=NOW + timedelta(minutes=15))  # nothing new: the bucket closes
    assert closed.events == {"opened": 1}, closed.changes
    with Session(engine) as session:
        incident = session.exec(select(Incident)).one()
    assert (incident.brand_id, incident.trigger) == ("b4", "spike")
    engine.dispose()


def test_a_failed_commit_after_many_passes_puts_the_detector_back_from_its_checkpoint(database_url: str) -> None:
    """The detector is rebuilt from its checkpoint and the journal of committed runs: the retry still opens."""
    settings, engine = world(database_url, 4)
    for minutes in range(5, 30, 5):  # quiet passes: journaled, not pickled
        assert run_detection(engine, settings, now=NOW + timedelta(minutes=minutes)).changes == ()
    rng = random.Random(9)
    burst = NOW + timedelta(minutes=31)
    with engine.begin() as connection:
        connection.execute(insert(Mention.__table__), [  # type: ignore[attr-defined]
            row(rng, "b2", f"burst{i}", burst + timedelta(seconds=4 * i), negative=True, examined=False,
                author=f"angry{i}") for i in range(70)])
    assert run_detection(engine, settings, now=NOW + timedelta(minutes=35)).changes == ()
    wrote: list[bool] = []
    failures: list[int] = []

    def note(session: OrmSession, _context: object) -> None:
        wrote.append(any(isinstance(o, Alert) for o in session.new))

    def fail_once(_session: OrmSession) -> None:
        if any(wrote) and not failures:
            failures.append(1)
            raise OperationalError("COMMIT", None, Exception("server closed the connection unexpectedly"))

    event.listen(OrmSession, "after_flush", note)
    event.listen(OrmSession, "before_commit", fail_once)
    try:
        closed = run_detection(engine, settings, now=NOW + timedelta(minutes=40))
    finally:
        event.remove(OrmSession, "after_flush", note)
        event.remove(OrmSession, "before_commit", fail_once)
    assert failures == [1] and closed.events == {"opened": 1}, closed.changes
    with Session(engine) as session:
        assert [(i.brand_id, i.trigger) for i in session.exec(select(Incident))] == [("b2", "spike")]
    engine.dispose()
