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
    assert len(sent) >= 5  # watched, paged individuals, snoozes over, unacknowledged, gone quiet
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        for statement, parameters in sent:
            plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + statement, parameters))
            assert "ix_incidents_brand_status" in plan, (statement, plan)
            assert not re.search(r"^SCAN incidents\b", plan, re.M) and "Seq Scan" not in plan, plan
    with Session(engine) as session:  # the pass did its work: quiet ones resolved, snoozes ended
        left = session.exec(select(Incident).where(Incident.brand_id == "b3", col(Incident.status) != "resolved")
                            ).all()
        assert all(i.snoozed_until is None and i.last_activity_at >= NOW - timedelta(minutes=180) for i in left)


def test_not_resolved_is_the_same_rows_as_not_equal_and_fetch_orders_by_id(database_url: str) -> None:
    engine = open_database(database_url)
    rows = _incidents(400, random.Random(8))
    rows.reverse()  # stored in reverse key order: ids still count up, and fetch gives them in id order
    with engine.begin() as connection:
        connection.execute(Incident.__table__.insert(), rows)  # type: ignore[attr-defined]
    with Session(engine) as session:
        ranges = session.exec(select(Incident.id).where(queries.not_resolved())).all()
        plain = session.exec(select(Incident.id).where(col(Incident.status) != "resolved")).all()
        assert sorted(ranges) == sorted(plain) and len(plain) == 5  # type: ignore[type-var]
        stale = queries.fetch(session, queries.gone_quiet(), brand="b0", since=NOW)
        assert [i.id for i in stale] == sorted(i.id or 0 for i in stale) and len(stale) >= 1
        assert all(i.status != "resolved" and i.brand_id == "b0" for i in stale)
