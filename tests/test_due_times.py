"""The pass reads only incidents whose ``next_check_at`` has come, and decides exactly what reading all did (issue #17).

Real databases (SQLite file, PostgreSQL schema), real passes, real operator actions and a reaction stored the way a
poll stores it. The reference is the same run with every open incident made due before each pass, which is what every
pass read before ``next_check_at``: any due time later than a check's real deadline delays a reminder, escalation,
resolution, wake-up, fold or watch-review page by a step, and the two runs differ.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from connectors.base import Author, Mention
from monitor.detection import due, incidents
from monitor.detection.warmup import forget_detectors
from monitor.pipeline import run_detection
from monitor.settings import Settings
from monitor.storage import incident_due
from monitor.storage.engine import open_database, refresh_statistics, upgrade
from monitor.storage.mentions import store_mentions
from monitor.storage.tables import Incident
from monitor.storage.tables import Mention as MentionRow
from monitor.web.actions import Actor, act
from tests.fakes.settings_files import make_settings

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
BRANDS = ("b0", "b1", "b2", "b3")
WEB = Actor("otto", "web 127.0.0.1")


def _settings(url: str) -> Settings:
    return make_settings(database={"url": url}, brands=[{"id": b, "name": b.upper()} for b in BRANDS],
                         detection={"engine": "adaptive", "quiet_minutes": 60, "response_target_minutes": 30,
                                    "joined_fold_minutes": 10, "reach_page_reactions": 20},
                         escalation={"unacknowledged_minutes": 20})


def _mention(n: int, brand: str, posted: datetime, **extra: Any) -> dict[str, Any]:
    return {"brand_id": brand, "source_id": "s", "platform": "x", "external_id": str(n), "text": "acme is down again",
            "author_id": f"u{n}", "author_handle": f"h{n}", "author_followers": 50, "posted_at": posted,
            "ingested_at": posted, "scored_at": posted, "sentiment": "negative", "p_negative": 0.9,
            "detected_at": posted, "is_brand_reply": False, "parent_id": None} | extra


def _incident(n: int, brand: str, trigger: str, status: str, opened: datetime, **extra: Any) -> dict[str, Any]:
    return {"brand_id": brand, "key": f"{trigger}:{n}", "trigger": trigger, "status": status, "severity": 2,
            "title": "t", "reason": "r", "opened_at": opened, "updated_at": opened, "last_activity_at": opened,
            "mention_count": 1, "author_count": 1, "example_mention_ids": [n], "details": {},
            "snoozed_until": None, "acked_by": None} | extra


def _load(engine: Engine) -> dict[str, int]:
    """Every timed check and review has something to decide at some step; returns incident ids by key."""
    mentions = [_mention(n, b, T0 - timedelta(minutes=40)) for n, b in
                [(1, "b0"), (2, "b0"), (3, "b0"), (4, "b0"), (5, "b0"), (6, "b0"), (11, "b1"), (12, "b1"),
                 (13, "b1"), (21, "b2"), (22, "b2"), (14, "b1"), (31, "b3")]]
    mentions[10] |= {"author_followers": 900_000}  # b2's big customer waiting in a fold
    mentions[6] |= {"author_followers": 900_000}  # b1's watched high-reach post
    replies = [_mention(90 + k, b, T0 - timedelta(days=1), is_brand_reply=True, author_id="brand",
                        parent_id="nothing") for k, b in enumerate(("b0", "b1"))]  # the brands' replies are collected
    fold = {"joined_fold": {"due": (T0 + timedelta(minutes=12)).isoformat(), "people": ["x:u22"]},
            "joined": {"x:u22": {"mention_id": 22, "at": T0.isoformat(), "why": "influential"}}}
    incidents = [
        _incident(1, "b0", "spike", "open", T0 - timedelta(minutes=12)),  # reminder at +8 min, quiet at +48
        _incident(2, "b0", "story", "escalated", T0 - timedelta(minutes=50), severity=3,
                  details={"paged_at": (T0 - timedelta(minutes=3)).isoformat()}),  # reminder from paged_at: +17
        _incident(3, "b0", "churn_threat", "open", T0 - timedelta(minutes=22)),  # unanswered at +8
        _incident(4, "b0", "spike", "open", T0 - timedelta(minutes=30), severity=3, acked_by="ann",
                  details={"told": ["opened:3"]}),  # resolves, and says so, at +30
        _incident(5, "b0", "spike", "open", T0 - timedelta(minutes=15)),  # snoozed at +4, woken by hand at +19
        _incident(6, "b0", "high_reach", "open", T0 - timedelta(minutes=10), details={"unanswered": False}),
        _incident(11, "b1", "high_reach", "watch", T0 - timedelta(minutes=30), last_activity_at=T0),  # reacted to: +29
        _incident(14, "b1", "repeat_complainer", "watch", T0 - timedelta(minutes=12),
                  snoozed_until=T0 - timedelta(minutes=1)),  # woken (and timed) at once; unanswered at +18
        _incident(12, "b1", "repeat_complainer", "watch", T0 - timedelta(minutes=17)),  # unanswered at +13
        _incident(13, "b1", "churn_threat", "watch", T0 - timedelta(minutes=40)),  # goes quiet at +20
        _incident(21, "b2", "story", "open", T0 - timedelta(minutes=20), details=fold),  # the fold goes at +12
        _incident(22, "b2", "spike", "open", T0 - timedelta(minutes=5), snoozed_until=T0 + timedelta(minutes=33)),
        _incident(31, "b3", "spike", "open", T0 - timedelta(minutes=5), severity=1,
                  snoozed_until=T0 + timedelta(minutes=33)),  # no reminder at severity 1: only the snooze's end
    ]
    with engine.begin() as connection:
        connection.execute(MentionRow.__table__.insert(), mentions + replies)  # type: ignore[attr-defined]
        ids = {r.external_id: r.id for r in connection.execute(text("select id, external_id from mentions"))}
        for row in incidents:
            row["example_mention_ids"] = [ids[str(row["example_mention_ids"][0])]]
        fold["joined"]["x:u22"]["mention_id"] = ids["22"]  # type: ignore[index]
        connection.execute(Incident.__table__.insert(), incidents)  # type: ignore[attr-defined]
        return {k: i for i, k in connection.execute(text("select id, key from incidents"))}


def _outside(engine: Engine, settings: Settings, ids: dict[str, int], now: datetime) -> None:
    """What people and polls do between passes, the same in both runs."""
    minute = round((now - T0) / timedelta(minutes=1))
    if minute == 4:  # before its reminder (+5): held back by the snooze
        act(engine, settings, ids["spike:5"], "snooze", "2h", WEB, request_id="snooze-5" * 3, now=now)
    if minute == 19:  # woken by hand: the reminder follows at the next pass
        act(engine, settings, ids["spike:5"], "wake", "", WEB, request_id="wake-5" * 4, now=now)
    if minute == 24:
        act(engine, settings, ids["spike:1"], "resolve", "", WEB, request_id="resolve-1" * 3, now=now)
    if minute == 29:  # 25 people react to b1's watched post, stored as a poll stores them (unscored)
        fans = [Mention("x", f"r{k}", Author(f"fan{k}", f"fan{k}"), "so true", now - timedelta(minutes=1),
                        parent_id="11") for k in range(25)]
        with Session(engine) as session:
            store_mentions(session, fans, brand_id="b1", source_id="s", now=now)
            session.commit()


def _state(engine: Engine) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        return [(i.key, i.status, i.severity, as_naive(i.snoozed_until), (i.details or {}).get("told"))
                for i in session.exec(select(Incident).order_by(col(Incident.key)))]


def _run(url: str, reference: bool) -> list[tuple[list[str], list[tuple[Any, ...]]]]:
    forget_detectors()
    due.forget_sync()
    engine = open_database(url)
    settings = _settings(url)
    ids = _load(engine)
    keys = {number: name for name, number in ids.items()}
    out = []
    now = T0
    while now <= T0 + timedelta(minutes=130):
        _outside(engine, settings, ids, now - timedelta(minutes=1))
        if reference:  # what every pass read before next_check_at: all of it
            with Session(engine) as session:
                incident_due.mark_all(session, list(BRANDS), now)
                session.commit()
        changes = run_detection(engine, settings, now=now).changes  # incidents named by key (PostgreSQL's ids differ)
        out.append((sorted(re.sub(r"#(\d+)", lambda m: keys[int(m.group(1))], c) for c in changes), _state(engine)))
        now += STEP
    engine.dispose()
    return out


def _wipe(url: str) -> None:
    """Empty every table (the two runs share the test's database, one after the other)."""
    engine = open_database(url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


def test_passes_reading_only_due_incidents_decide_what_reading_all_did(database_url: str) -> None:
    new = _run(database_url, reference=False)
    _wipe(database_url)
    old = _run(database_url, reference=True)
    events = [re.match(r"\w+", c).group(0) for changes, _ in old for c in changes]  # type: ignore[union-attr]
    # the scenario exercises every check: reminders, the unanswered escalation, woke, fold, review pages, resolution
    assert {"unacknowledged", "escalated", "woke", "joined", "opened", "resolved"} <= set(events), old
    assert old[-1][1] != old[0][1] and any(s == "resolved" for _, s, *_ in old[-1][1])
    for step, (got, want) in enumerate(zip(new, old, strict=True)):
        assert got == want, (f"minute {step * 5}", got, want)


def test_a_quiet_pass_reads_no_incident_that_is_not_due(database_url: str) -> None:
    """200 paged and 150 watched incidents open, none due: the pass sends one statement and no incident is read."""
    forget_detectors()
    due.forget_sync()
    engine = open_database(database_url)
    settings = _settings(database_url)
    rows = [_incident(n, BRANDS[n % 4], "spike", "open", T0, severity=1, details={"told": ["opened:1"]})
            for n in range(200)]
    rows += [_incident(n, BRANDS[n % 4], "high_reach", "watch", T0) for n in range(200, 350)]
    with engine.begin() as connection:
        connection.execute(Incident.__table__.insert(), rows)  # type: ignore[attr-defined]
    run_detection(engine, settings, now=T0)  # the first pass checks them all and sets their times
    with Session(engine) as session:
        times = session.exec(select(Incident.next_check_at)).all()
    assert {as_naive(t) for t in times} == {as_naive(T0 + timedelta(minutes=60))}  # all quiet at +60 min
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    assert run_detection(engine, settings, now=T0 + STEP).changes == ()
    assert len(sent) == 1 and "next_check_at <=" in sent[0], sent  # new mentions or due incidents, any brand
    resolved = run_detection(engine, settings, now=T0 + timedelta(minutes=60, seconds=1)).changes
    assert len(resolved) == 200  # the paged ones, told they resolved (the watched ones quietly)


def as_naive(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=None) if when is not None and when.tzinfo is not None else when


def test_the_due_query_reads_the_next_check_index(database_url: str) -> None:
    engine = open_database(database_url)
    rows = [_incident(n, f"b{n % 1000}", "spike", "resolved" if n % 50 else "open", T0 - timedelta(days=n % 90))
            for n in range(20_000)]
    for n, row in enumerate(rows):
        row["next_check_at"] = None if n % 50 else T0 + timedelta(minutes=n % 600)
    with engine.begin() as connection:
        connection.execute(Incident.__table__.insert(), rows)  # type: ignore[attr-defined]
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE incidents"))
    refresh_statistics(engine)
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    settings = make_settings(database={"url": database_url}, brands=[{"id": "b1", "name": "B1"}])
    event.listen(engine, "before_cursor_execute", record)
    run_detection(engine, settings, now=T0)
    event.remove(engine, "before_cursor_execute", record)
    statement, parameters = next((s, p) for s, p in sent if "next_check_at <=" in s)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + statement, parameters))
    assert "ix_incidents_next_check_at" in plan, plan
    assert not re.search(r"^SCAN incidents\b", plan, re.M) and "Seq Scan on incidents" not in plan, plan


def test_the_upgrade_makes_every_open_incident_due(database_url: str) -> None:
    """An install upgraded from 0014: its open incidents are due at once (their opening), resolved ones never."""
    upgrade(database_url, "0014_mention_reaction_indexes")
    raw = create_engine(database_url)
    before = Table("incidents", MetaData(), autoload_with=raw)  # the table as 0014 left it
    assert "next_check_at" not in before.c
    with raw.begin() as connection:
        for n, status in enumerate(("open", "watch", "resolved", "escalated")):
            row = _incident(n, "b0", "spike", status, T0 - timedelta(minutes=n))
            connection.execute(before.insert(), {c: v for c, v in row.items() if c in before.c})
    raw.dispose()
    engine = open_database(database_url)  # applies 0015
    with Session(engine) as session:
        got = {i.status: as_naive(i.next_check_at) for i in session.exec(select(Incident).order_by(col(Incident.id)))}
    assert got == {"open": as_naive(T0), "watch": as_naive(T0 - timedelta(minutes=1)), "resolved": None,
                   "escalated": as_naive(T0 - timedelta(minutes=3))}


def test_a_mark_made_while_a_pass_ran_is_not_overwritten(database_url: str) -> None:
    """PostgreSQL's read committed: an operator's snooze committed while the pass had the incident in hand keeps it
    due (the pass's own time for it is dropped), so the snooze's end is not missed."""
    engine = open_database(database_url)
    settings = _settings(database_url)
    with engine.begin() as connection:
        connection.execute(Incident.__table__.insert(), [_incident(1, "b0", "spike", "open", T0)])  # type: ignore[attr-defined]
    with Session(engine) as passing:
        incident = passing.exec(select(Incident)).one()  # what the pass read
        seen = incident.next_check_at
        with Session(engine) as other:  # meanwhile, an operator snoozes it for 20 minutes
            mine = other.exec(select(Incident)).one()
            mine.snoozed_until = T0 + timedelta(minutes=20)
            incident_due.mark(mine, T0 + timedelta(minutes=1))
            other.add(mine)
            other.commit()
        assert seen is not None
        due.rearm(passing, settings, "b0", [incident])  # the pass's time: quiet at +60 (it never saw the snooze)
        passing.commit()
    with Session(engine) as session:
        left = session.exec(select(Incident)).one().next_check_at
    assert left is not None and left.replace(tzinfo=None) < T0.replace(tzinfo=None)  # still due: the next pass sees it


@pytest.mark.parametrize("status", ["open", "watch"])
def test_due_at_is_never_later_than_a_deadline(status: str) -> None:
    settings = _settings("sqlite:///unused.db")
    incident = Incident(**_incident(1, "b0", "repeat_complainer", status, T0, severity=3,
                                    snoozed_until=T0 + timedelta(minutes=90)))
    got = due.due_at(incident, settings)
    assert got == T0 + timedelta(minutes=30)  # the response target comes first (then the reminder, quiet, snooze)
    incident.status = "resolved"
    assert due.due_at(incident, settings) is None


def test_an_incident_the_pass_changed_is_checked_in_that_pass(database_url: str) -> None:
    """A join that escalates an incident not due (``incidents._join``) makes its reminder due at once: the same pass
    tells the next tier, as when every pass read every paged incident."""
    engine = open_database(database_url)
    settings = _settings(database_url)
    row = _incident(1, "b0", "spike", "open", T0 - timedelta(minutes=40), last_activity_at=T0,
                    details={"told": ["opened:1"]}, next_check_at=T0 + timedelta(minutes=60))  # severity 1: no reminder
    with engine.begin() as connection:
        connection.execute(Incident.__table__.insert(), [row])  # type: ignore[attr-defined]
    with Session(engine) as session:
        incident = session.exec(select(Incident)).one()
        incident.severity, incident.status = 2, "escalated"  # what a join that escalates it does
        session.add(incident)
        changes = incidents.detect_brand(session, settings, settings.brands[0], T0 + STEP, examined=True)
        session.commit()
    assert [c.event for c in changes] == ["unacknowledged"]
    with Session(engine) as session:
        assert as_naive(session.exec(select(Incident)).one().next_check_at) == as_naive(T0 + timedelta(minutes=60))
