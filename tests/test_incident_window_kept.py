"""A replay's database keeps a brand's join window from one committed pass to the next (``sole_writer``), and gives
exactly what reading it anew gives; a pass that rolls back keeps nothing; other databases read it every pass.

Real database (SQLite, as a replay's), real incident layer; window reads are counted on the real engine.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from monitor.detection.incidents import apply_finding
from monitor.detection.recent_incidents import RecentIncidents, query_recent, sole_writer
from monitor.runtime import Runtime
from monitor.settings import BrandSettings, Settings
from monitor.storage.engine import transaction
from monitor.storage.tables import Incident
from tests.test_incident_pass import window_reads
from tests.test_incidents import NOW, WORDINGS, finding, mentions, setup

JOIN = 120  # minutes: the default detection.join_minutes (a view asked for another window reads it anew)


def one_pass(runtime: Runtime, settings: Settings, brand: BrandSettings, n: int, minutes: int) -> RecentIncidents:
    """A committed pass at NOW + ``minutes`` with one story finding (wording ``n``, its own people)."""
    now = NOW + timedelta(minutes=minutes)
    with transaction(runtime.engine) as session:
        view = RecentIncidents.for_pass(session, brand.id)
        ids = mentions(session, [WORDINGS[n % len(WORDINGS)]] * 6, [f"p{minutes}-{k}" for k in range(6)])
        apply_finding(session, settings, brand, finding("story", f"story:acme:{minutes}", ids), now, view)
    return view


def as_read(session: Session, brand_id: str, minutes: int) -> list[tuple[int | None, str, int]]:
    since = NOW + timedelta(minutes=minutes - JOIN)
    return [(i.id, i.key, i.severity) for i in query_recent(session, brand_id, since)]


def test_the_kept_window_is_what_the_query_gives_and_its_objects_are_the_sessions(tmp_path: Path) -> None:
    settings, runtime = setup(f"sqlite:///{tmp_path / 'replay.db'}")
    sole_writer(runtime.engine)
    brand = settings.brands[0]
    assert settings.detection.join_minutes == JOIN
    assert one_pass(runtime, settings, brand, 0, 0).queries == 1  # nothing kept yet: read once
    for n, minutes in enumerate((20, 45, 70, 150)):  # 150: the first ones went quiet before the window
        with window_reads(runtime.engine) as reads:
            view = one_pass(runtime, settings, brand, n + 1, minutes)
        assert view.queries == 0 and reads == []
        with transaction(runtime.engine) as session:
            view = RecentIncidents.for_pass(session, brand.id)
            kept = view.current(session, brand.id, NOW + timedelta(minutes=minutes), JOIN)
            assert [(i.id, i.key, i.severity) for i in kept] == as_read(session, brand.id, minutes)
            assert all(session.get(Incident, i.id) is i for i in kept)  # every query of the pass gets these
    assert len(kept) < 5  # some went out of the window


def test_a_pass_that_rolls_back_keeps_nothing(tmp_path: Path) -> None:
    settings, runtime = setup(f"sqlite:///{tmp_path / 'replay.db'}")
    sole_writer(runtime.engine)
    brand = settings.brands[0]
    one_pass(runtime, settings, brand, 0, 0)
    with pytest.raises(RuntimeError), transaction(runtime.engine) as session:
        view = RecentIncidents.for_pass(session, brand.id)
        view.current(session, brand.id, NOW, JOIN)[0].severity = 4  # changed, then rolled back
        raise RuntimeError("the pass failed")
    with transaction(runtime.engine) as session:
        view = RecentIncidents.for_pass(session, brand.id)
        found = view.current(session, brand.id, NOW, JOIN)
        assert view.queries == 1 and [i.severity for i in found] == [2]  # read anew, as stored


def test_without_the_declaration_every_pass_reads_the_window(tmp_path: Path) -> None:
    settings, runtime = setup(f"sqlite:///{tmp_path / 'service.db'}")
    brand = settings.brands[0]
    assert [one_pass(runtime, settings, brand, n, minutes).queries for n, minutes in enumerate((0, 20, 45))] == \
        [1, 1, 1]
