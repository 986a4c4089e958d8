"""One detection pass reads the join window once (issue #17), and still joins what it opened itself.

Real database, real incident layer: statements are counted with a SQLAlchemy event on the real engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from monitor.detection.incidents import apply_finding
from monitor.detection.recent_incidents import RecentIncidents
from monitor.storage.tables import Incident
from tests.test_incidents import NOW, WORDINGS, finding, mentions, setup


@contextmanager
def window_reads(engine: Engine) -> Iterator[list[str]]:
    """Every statement that reads the join window (the brand's incidents active since a moment)."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM incident" in statement and "last_activity_at >=" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def four_wordings(database_url: str, view: RecentIncidents | None) -> tuple[int, list[Incident], list[str]]:
    """An old unrelated incident, then four wordings of one outage (different people) in one pass."""
    settings, runtime = setup(database_url)
    brand = settings.brands[0]
    with Session(runtime.engine) as session, window_reads(runtime.engine) as reads:
        bill = mentions(session, ["Charged twice for my Acme bill, refund please"] * 6, [f"b{k}" for k in range(6)])
        apply_finding(session, settings, brand, finding("story", "story:acme:bill", bill, 3),
                      NOW - timedelta(minutes=20))
        before = len(reads)
        for n, text in enumerate(WORDINGS):
            ids = mentions(session, [text] * 6, [f"w{n}p{k}" for k in range(6)])
            apply_finding(session, settings, brand, finding("story", f"story:acme:{n}", ids), NOW, view)
        session.commit()
        incidents = list(session.exec(select(Incident).order_by(Incident.id)).all())
        return len(reads) - before, incidents, [i.key for i in incidents]


def test_a_pass_reads_the_join_window_once_and_joins_what_it_opened(database_url: str) -> None:
    view = RecentIncidents()
    reads, incidents, keys = four_wordings(database_url, view)
    assert reads == 1 and view.queries == 1
    assert keys == ["story:acme:bill", "story:acme:0"]  # the outage opened in the pass; the rest joined it
    outage = incidents[1]
    assert set((outage.details or {})["join"]["keys"]) == {"story:acme:1", "story:acme:2", "story:acme:3"}


def test_without_a_pass_view_each_finding_reads_the_window_and_joins_the_same(database_url: str) -> None:
    reads, _, keys = four_wordings(database_url, None)
    assert reads == 4
    assert keys == ["story:acme:bill", "story:acme:0"]
