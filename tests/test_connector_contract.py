"""The connector contract, run over every registered connector through its real client and a local fake.

The harnesses live in ``tests/fakes/connector_harness.py``: to cover a new connector, add its factory there.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from connectors.base import Mention
from monitor.clock import ManualClock
from monitor.errors import SourceUnavailable
from tests.fakes.connector_harness import EXPECTED, FACTORIES, harness

PENDING: set[str] = set()  # registered kinds whose factory is still to be written (remove when added)
BY_KIND = {f.kind: f for f in FACTORIES}
KINDS = sorted(BY_KIND)
FAULT_CASES = [pytest.param(f.kind, fault, id=f"{f.kind}-{fault}") for f in FACTORIES for fault in sorted(f.faults)]


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"a connector slept {seconds} s inside fetch")

    monkeypatch.setattr(time, "sleep", refuse)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


def ids(mentions: list[Mention]) -> list[str]:
    return [m.external_id for m in mentions]


def test_every_registered_connector_has_a_contract_factory() -> None:
    registered = {e.name for e in entry_points(group="groundswell.connectors")}
    assert set(KINDS) <= registered
    assert registered - set(KINDS) == PENDING


@pytest.mark.parametrize("kind", KINDS)
def test_fetch_is_bounded_and_mentions_are_well_formed(kind: str, clock: ManualClock, tmp_path: Path) -> None:
    with harness(kind, clock, tmp_path) as h:
        for i in range(30):
            h.publish(f"post {i}")
        connector = h.connect()
        batch = connector.fetch(None, limit=10)
        assert 0 < len(batch.mentions) <= 10
        assert batch.requests_made >= 1
        for mention in batch.mentions:
            assert mention.platform == connector.platform == kind
            assert mention.external_id and mention.posted_at.utcoffset() == timedelta(0)
            assert mention.url.startswith("https://")
        assert json.loads(json.dumps(batch.cursor)) == batch.cursor


@pytest.mark.parametrize("kind", KINDS)
def test_refetch_without_saving_the_cursor_is_idempotent(kind: str, clock: ManualClock, tmp_path: Path) -> None:
    with harness(kind, clock, tmp_path) as h:
        published = {h.publish(f"post {i}") for i in range(5)}
        first = h.connect().fetch(None, limit=50)
        again = h.connect().fetch(None, limit=50)  # a crash before commit: the cursor was not saved
        assert set(ids(first.mentions)) == set(ids(again.mentions)) == published


@pytest.mark.parametrize("kind", KINDS)
def test_cursor_moves_past_what_was_read(kind: str, clock: ManualClock, tmp_path: Path) -> None:
    with harness(kind, clock, tmp_path) as h:
        for i in range(4):
            h.publish(f"old {i}")
        first = h.connect().fetch(None, limit=50)
        saved = json.loads(json.dumps(first.cursor))  # what the pipeline stores
        assert h.connect().fetch(saved, limit=50).mentions == []
        fresh = {h.publish("new 1"), h.publish("new 2")}
        assert set(ids(h.connect().fetch(saved, limit=50).mentions)) == fresh


@pytest.mark.parametrize("kind", KINDS)
def test_small_limits_page_through_everything_once(kind: str, clock: ManualClock, tmp_path: Path) -> None:
    with harness(kind, clock, tmp_path) as h:
        published = {h.publish(f"post {i}") for i in range(25)}
        cursor, seen = None, []
        for _ in range(6):
            batch = h.connect().fetch(cursor, limit=10)
            seen += ids(batch.mentions)
            cursor = batch.cursor
        assert sorted(seen) == sorted(published)


@pytest.mark.parametrize(("kind", "fault"), FAULT_CASES)
def test_faults_raise_the_right_error_and_lose_nothing(kind: str, fault: str, clock: ManualClock,
                                                      tmp_path: Path) -> None:
    with harness(kind, clock, tmp_path) as h:
        published = {h.publish(f"post {i}") for i in range(3)}
        h.fail(fault)
        with pytest.raises(EXPECTED[fault]) as caught:
            h.connect().fetch(None, limit=50)
        assert type(caught.value) is EXPECTED[fault]
        assert str(caught.value) and "secret" not in str(caught.value).lower()
        if fault == "429":
            assert isinstance(caught.value, SourceUnavailable)
            assert caught.value.retry_after and caught.value.retry_after > 0
        h.clear()
        assert set(ids(h.connect().fetch(None, limit=50).mentions)) == published
