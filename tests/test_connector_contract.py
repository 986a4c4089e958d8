"""The connector contract, run over every registered connector through its real client and a local fake.

To cover a new connector, write a factory (a context manager yielding a ``Harness``) and add one line to
``FACTORIES``.  A factory lists the faults its fake can produce; each becomes its own test case.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pydantic import SecretStr

from connectors.base import BrandTerms, Connector, ConnectorContext, Mention
from connectors.reddit import RedditConnector, RedditOptions
from connectors.replay import ReplayConnector, ReplayOptions
from connectors.x import XConnector, XOptions
from monitor.clock import ManualClock
from monitor.errors import SourceAuthError, SourceError, SourceUnavailable
from tests.fakes.reddit_api import FakeReddit
from tests.fakes.x_api import FakeX
from tests.test_connector_bluesky import contract_harness as bluesky_harness
from tests.test_connector_hackernews import contract_harness as hackernews_harness
from tests.test_connector_mastodon import contract_harness as mastodon_harness
from tests.test_connector_rss import contract_harness as rss_harness

BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",), handles=("acmehelp",))
EXPECTED: dict[str, type[SourceError]] = {"401": SourceAuthError, "403": SourceAuthError, "429": SourceUnavailable,
            "500": SourceUnavailable, "503": SourceUnavailable, "truncated": SourceUnavailable,
            "slow": SourceUnavailable, "reset": SourceUnavailable}
NETWORK_FAULTS = frozenset(EXPECTED)


@dataclass
class Harness:
    connect: Callable[[], Connector]  # a fresh connector with the same settings (as after a restart)
    publish: Callable[[str], str]  # one new public post that mentions the brand; returns its external id
    fail: Callable[[str], None]  # switch a fault on (sticky)
    clear: Callable[[], None]


@dataclass(frozen=True)
class ContractFactory:
    kind: str
    faults: frozenset[str]
    open: Callable[[ManualClock, Path], AbstractContextManager[Harness]]


@contextmanager
def x_harness(clock: ManualClock, tmp_path: Path) -> Iterator[Harness]:
    api = FakeX(clock=clock).start()
    options = XOptions(bearer_token=SecretStr(api.token), base_url=api.url, timeout_seconds=0.3)
    try:
        yield Harness(lambda: XConnector(options, ConnectorContext("contract-x", BRAND, clock)),
                      lambda text: api.add_tweet(f"Acme {text}"), api.fail, api.clear)
    finally:
        api.stop()


@contextmanager
def reddit_harness(clock: ManualClock, tmp_path: Path) -> Iterator[Harness]:
    api = FakeReddit(client_id=f"contract-{uuid.uuid4().hex[:8]}", clock=clock).start()
    options = RedditOptions(client_id=SecretStr(api.client_id), client_secret=SecretStr(api.secret),
                            user_agent="test:groundswell:0.1 (by /u/tester)", oauth_url=api.url,
                            reddit_url=api.url, timeout_seconds=0.3, subreddits=["acme"])

    def publish(text: str) -> str:
        clock.advance(timedelta(seconds=1))
        return api.add_post(f"Acme {text}", age=timedelta(0))

    try:
        yield Harness(lambda: RedditConnector(options, ConnectorContext("contract-reddit", BRAND, clock)),
                      publish, api.fail, api.clear)
    finally:
        api.stop()


@contextmanager
def replay_harness(clock: ManualClock, tmp_path: Path) -> Iterator[Harness]:
    path = tmp_path / "replay.jsonl"
    path.write_text("")
    options = ReplayOptions(path=path)

    def publish(text: str) -> str:
        external_id = uuid.uuid4().hex[:12]
        row = {"id": external_id, "text": f"Acme {text}", "posted_at": clock().isoformat(), "author_id": "a",
               "url": f"https://replay.example/{external_id}"}
        with path.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        return external_id

    yield Harness(lambda: ReplayConnector(options, ConnectorContext("contract-replay", BRAND, clock)),
                  publish, lambda _fault: None, lambda: None)


FACTORIES = [
    ContractFactory("x", NETWORK_FAULTS, x_harness),
    ContractFactory("reddit", NETWORK_FAULTS, reddit_harness),
    ContractFactory("replay", frozenset(), replay_harness),
    ContractFactory("mastodon", NETWORK_FAULTS, mastodon_harness),
    ContractFactory("bluesky", NETWORK_FAULTS, bluesky_harness),
    ContractFactory("hackernews", NETWORK_FAULTS, hackernews_harness),
    ContractFactory("rss", NETWORK_FAULTS, rss_harness),
]
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


def harness(kind: str, clock: ManualClock, tmp_path: Path) -> AbstractContextManager[Harness]:
    return BY_KIND[kind].open(clock, tmp_path)


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
