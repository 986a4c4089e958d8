"""A detection pass's incident checks read the brand's incidents by (brand_id, status), not all of its history.

Real database with the migrations applied, real detection pass: the statements it sends about incidents are
recorded with a SQLAlchemy event and EXPLAINed (issue #12: a brand's resolved incidents pile up, and every
check walked all of them on every pass).
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session, col, select

from monitor.detection import pass_queries as queries
from monitor.detection.joining import INDIVIDUAL
from monitor.pipeline import run_detection
from monitor.storage.engine import open_database, refresh_statistics
from monitor.storage.tables import Incident
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 7, 18, 30, tzinfo=UTC)
CHECKS = ("watch", "open", "growing", "escalated")


def _incidents(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Ten brands' history: nearly all resolved, a few in every other state (some snoozed, some gone quiet)."""
    rows = []
    for i in range(n):
        when = NOW - timedelta(minutes=rng.randint(0, 30 * 1440))
        live = i % 97 == 0
        rows.append({"brand_id": f"b{i % 10}", "key": f"k{i}", "trigger": rng.choice(["story", "repeat_complainer"]),
                     "status": CHECKS[i % 4] if live else "resolved", "severity": 2, "title": "", "reason": "",
                     "opened_at": when, "updated_at": when, "last_activity_at": when, "mention_count": 1,
                     "author_count": 1, "example_mention_ids": [], "details": {},
                     "snoozed_until": NOW - timedelta(minutes=5) if live and i % 3 == 0 else None})
    return rows


def test_the_pass_checks_read_incidents_by_brand_and_status(database_url: str) -> None:
    engine = open_database(database_url)
    with engine.begin() as connection:
        connection.execute(Incident.__table__.insert(), _incidents(6_000, random.Random(5)))  # type: ignore[attr-defined]
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE incidents"))
    refresh_statistics(engine)
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if re.search(r"FROM incidents\s+WHERE incidents.brand_id", statement):
            sent.append((statement, parameters))

    settings = make_settings(database={"url": database_url}, brands=[{"id": "b3", "name": "B3"}])
    event.listen(engine, "before_cursor_execute", record)
    run_detection(engine, settings, now=NOW)
    event.remove(engine, "before_cursor_execute", record)
    # the watched ones, what the timed checks may act on (one read for the four), folds of big customers waiting
    assert len(sent) == 3
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        for statement, parameters in sent:
            plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + statement, parameters))
            # by brand and status, or by the due time (0015): either is an index range, never the brand's history
            assert "ix_incidents_brand_status" in plan or "ix_incidents_next_check_at" in plan, (statement, plan)
            assert not re.search(r"^SCAN incidents\b", plan, re.M) and "Seq Scan" not in plan, plan
    with Session(engine) as session:  # the pass did its work: quiet ones resolved, snoozes ended
        left = session.exec(select(Incident).where(Incident.brand_id == "b3", col(Incident.status) != "resolved")
                            ).all()
        assert all(i.snoozed_until is None and i.last_activity_at >= NOW - timedelta(minutes=180) for i in left)


def _each_query(session: Session, brand: str, now: datetime, since: datetime) -> dict[str, list[int | None]]:
    """Each timed check's rows as its own query gave them before ``TimedChecks`` (ids, in id order)."""
    base = select(Incident).where(Incident.brand_id == brand).order_by(col(Incident.id))
    queries_of = {
        "paged": base.where(col(Incident.status).in_(queries.PAGED), col(Incident.trigger).in_(INDIVIDUAL)),
        "snoozes": base.where(Incident.status != "resolved", col(Incident.snoozed_until).is_not(None),
                              col(Incident.snoozed_until) <= now),
        "unacknowledged": base.where(col(Incident.status).in_(queries.PAGED), col(Incident.acked_by).is_(None),
                                     Incident.severity >= 2),
        "quiet": base.where(Incident.status != "resolved", Incident.last_activity_at < since)}
    return {name: [i.id for i in session.exec(q)] for name, q in queries_of.items()}


def test_timed_checks_give_each_check_its_own_querys_rows(database_url: str) -> None:
    engine = open_database(database_url)
    rows = _incidents(3_000, random.Random(8))
    rng = random.Random(9)
    for row in rows:  # every state, trigger, severity and acknowledgement the checks tell apart
        row.update(status=rng.choice([*CHECKS, "resolved"]), severity=rng.randint(1, 4),
                   trigger=rng.choice(["story", "spike", *INDIVIDUAL]), acked_by=rng.choice([None, "ann"]),
                   snoozed_until=rng.choice([None, NOW - timedelta(minutes=5), NOW + timedelta(minutes=5)]))
    rows.reverse()
    with engine.begin() as connection:
        connection.execute(Incident.__table__.insert(), rows)  # type: ignore[attr-defined]
    since = NOW - timedelta(minutes=180)
    with Session(engine) as session:
        ranges = session.exec(select(Incident.id).where(queries.not_resolved())).all()
        plain = session.exec(select(Incident.id).where(col(Incident.status) != "resolved")).all()
        assert sorted(ranges) == sorted(plain)  # type: ignore[type-var]
        for brand in ("b0", "b7"):
            want = _each_query(session, brand, NOW, since)
            timed = queries.TimedChecks(session, brand, since, NOW)  # all due: each opened before NOW
            got = {"paged": timed.paged_individuals(), "snoozes": timed.snoozes_over(NOW),
                   "unacknowledged": timed.unacknowledged(), "quiet": timed.gone_quiet(since)}
            assert {name: [i.id for i in found] for name, found in got.items()} == want
            assert all(want.values())  # each check has rows here: the comparison says something
