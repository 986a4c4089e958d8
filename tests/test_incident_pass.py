"""One detection pass reads the join window once (issue #17), and still joins what it opened itself.

Real database, real incident layer: statements are counted with a SQLAlchemy event on the real engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

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
        incidents = list(session.exec(select(Incident).order_by(col(Incident.id))).all())
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


def old_outage_woken_by_its_key(database_url: str, view: RecentIncidents | None) -> list[str]:
    """An outage last active before the join window; in one pass a billing story (the window is read), the
    outage's own key again (it joins by key and is active now), then another wording of the outage."""
    settings, runtime = setup(database_url)
    brand = settings.brands[0]
    with Session(runtime.engine) as session:
        old = mentions(session, [WORDINGS[0]] * 6, [f"o{k}" for k in range(6)], minutes_ago=200)
        apply_finding(session, settings, brand, finding("story", "story:acme:old", old),
                      NOW - timedelta(minutes=settings.detection.join_minutes + 30))
        bill = mentions(session, ["Charged twice for my Acme bill, refund please"] * 6, [f"b{k}" for k in range(6)])
        again = mentions(session, [WORDINGS[1]] * 6, [f"o{k}" for k in range(6)])
        other = mentions(session, [WORDINGS[2]] * 6, [f"n{k}" for k in range(6)])
        for key, ids in (("story:acme:bill", bill), ("story:acme:old", again), ("story:acme:new", other)):
            apply_finding(session, settings, brand, finding("story", key, ids), NOW, view)
        session.commit()
        return [i.key for i in session.exec(select(Incident).order_by(col(Incident.id))).all()]


@pytest.mark.parametrize("pass_view", [False, True])
def test_an_old_incident_joined_by_its_key_is_in_the_window_for_the_rest_of_the_pass(database_url: str,
                                                                                     pass_view: bool) -> None:
    view = RecentIncidents() if pass_view else None
    assert old_outage_woken_by_its_key(database_url, view) == ["story:acme:old", "story:acme:bill"]
