"""The connector contract's harnesses: each builds a real connector against its local fake API.

``tests/test_connector_contract.py`` runs every contract case over ``FACTORIES``.  To cover a new connector,
write a factory (a context manager yielding a ``Harness``) here and add one line to ``FACTORIES``; a factory
lists the faults its fake can produce, and each becomes its own test case.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, SecretStr

from connectors.base import AnyConnector, ConnectorContext
from connectors.bluesky import BlueskyConnector, BlueskyOptions
from connectors.hackernews import HackerNewsConnector, HackerNewsOptions
from connectors.mastodon import MastodonConnector, MastodonInstance, MastodonOptions
from connectors.reddit import RedditConnector, RedditOptions
from connectors.replay import ReplayConnector, ReplayOptions
from connectors.rss import RssConnector, RssOptions
from connectors.x import XConnector, XOptions
from monitor.brands import BrandTerms
from monitor.clock import ManualClock
from monitor.errors import SourceAuthError, SourceError, SourceUnavailable
from tests.fakes import FakeAPI
from tests.fakes.bluesky_api import FakeBluesky
from tests.fakes.feeds import FakeFeeds
from tests.fakes.hn_api import FakeHN
from tests.fakes.mastodon_api import FakeMastodon
from tests.fakes.reddit_api import FakeReddit
from tests.fakes.x_api import FakeX

BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",), handles=("acmehelp",))
EXPECTED: dict[str, type[SourceError]] = {"401": SourceAuthError, "403": SourceAuthError, "429": SourceUnavailable,
            "500": SourceUnavailable, "503": SourceUnavailable, "truncated": SourceUnavailable,
            "slow": SourceUnavailable, "reset": SourceUnavailable}
NETWORK_FAULTS = frozenset(EXPECTED)
Options = TypeVar("Options", bound=BaseModel)


def patient_timeout(*apis: FakeAPI) -> float:
    """0.3 s while a fake is told to be slow (the client must give up first), else 5 s: 0.3 s timed out on answers
    that were merely late on a loaded CI machine."""
    return 0.3 if any(a.fault == "slow" for a in apis) else 5.0


def patient(options: Options, api: FakeAPI) -> Options:
    """The options with ``patient_timeout``: a harness builds each connector when the fault is already set."""
    return options.model_copy(update={"timeout_seconds": patient_timeout(api)})


@dataclass
class Harness:
    connect: Callable[[], AnyConnector]  # a fresh connector with the same settings (as after a restart)
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
    options = XOptions(bearer_token=SecretStr(api.token), base_url=api.url)
    try:
        yield Harness(lambda: XConnector(patient(options, api), ConnectorContext("contract-x", BRAND, clock)),
                      lambda text: api.add_tweet(f"Acme {text}"), api.fail, api.clear)
    finally:
        api.stop()


@contextmanager
def reddit_harness(clock: ManualClock, tmp_path: Path) -> Iterator[Harness]:
    api = FakeReddit(client_id=f"contract-{uuid.uuid4().hex[:8]}", clock=clock).start()
    options = RedditOptions(client_id=SecretStr(api.client_id), client_secret=SecretStr(api.secret),
                            user_agent="test:groundswell:0.1 (by /u/tester)", oauth_url=api.url,
                            reddit_url=api.url, subreddits=["acme"])

    def publish(text: str) -> str:
        clock.advance(timedelta(seconds=1))
        return api.add_post(f"Acme {text}", age=timedelta(0))

    try:
        yield Harness(lambda: RedditConnector(patient(options, api), ConnectorContext("contract-reddit", BRAND, clock)),
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


BLUESKY_BRAND = BrandTerms(id="acme", name="Acme", names=("Acme", "Acme Cloud"), handles=("acme", "help.acme.com"))


@contextmanager
def bluesky_harness(clock: ManualClock, tmp_path: Path) -> Iterator[Harness]:
    api = FakeBluesky(clock=clock).start()
    opts = BlueskyOptions(handle=api.handle, app_password=SecretStr(api.password), base_url=api.url,
                          session_dir=tmp_path / "sessions", queries=["Acme"])

    def publish(text: str) -> str:
        clock.advance(timedelta(seconds=1))
        return api.add_post(f"Acme {text}", age=timedelta(0))

    try:
        yield Harness(lambda: BlueskyConnector(patient(opts, api),
                                               ConnectorContext("contract-bluesky", BLUESKY_BRAND, clock)),
                      publish, api.fail, api.clear)
    finally:
        api.stop()


HN_BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",), terms=("acmecloud",))


@contextmanager
def hackernews_harness(clock: ManualClock, tmp_path: Path) -> Iterator[Harness]:
    api = FakeHN(clock=clock).start()
    opts = HackerNewsOptions(base_url=api.url)
    try:
        yield Harness(lambda: HackerNewsConnector(patient(opts, api), ConnectorContext("contract-hn", HN_BRAND, clock)),
                      lambda text: api.add_story(f"Acme {text}", age=timedelta(0)), api.fail, api.clear)
    finally:
        api.stop()


MASTODON_BRAND = BrandTerms(id="acme", name="Acme", names=("Acme", "Acme Cloud"),
                            handles=("acmehelp", "@help@one.example"))


@contextmanager
def mastodon_harness(clock: ManualClock, tmp_path: Path) -> Iterator[Harness]:
    api = FakeMastodon("contract.example", clock=clock).start()
    opts = MastodonOptions(instances=[MastodonInstance(url=api.url, access_token=SecretStr(api.token))],
                           hashtags=["acme"], search_queries=[])

    def publish(text: str) -> str:
        clock.advance(timedelta(seconds=1))
        return api.add_status(f"#Acme {text}", age=timedelta(0))

    try:
        yield Harness(lambda: MastodonConnector(patient(opts, api),
                                                ConnectorContext("contract-mastodon", MASTODON_BRAND, clock)),
                      publish, api.fail, api.clear)
    finally:
        api.stop()


RSS_BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",))


@contextmanager
def rss_harness(clock: ManualClock, tmp_path: Path) -> Iterator[Harness]:
    api = FakeFeeds(clock=clock).start()
    api.add_entry("alerts", "Acme seed", age=timedelta(days=30))
    api.entries["alerts"].clear()
    opts = RssOptions(feeds=[f"{api.url}/atom/alerts"])

    def publish(text: str) -> str:
        clock.advance(timedelta(seconds=1))
        return api.add_entry("alerts", f"Acme {text}", google=True, age=timedelta(0))

    try:
        yield Harness(lambda: RssConnector(patient(opts, api), ConnectorContext("contract-rss", RSS_BRAND, clock)),
                      publish, api.fail, api.clear)
    finally:
        api.stop()


FACTORIES = [
    ContractFactory("x", NETWORK_FAULTS, x_harness),
    ContractFactory("reddit", NETWORK_FAULTS, reddit_harness),
    ContractFactory("replay", frozenset(), replay_harness),
    ContractFactory("mastodon", NETWORK_FAULTS, mastodon_harness),
    ContractFactory("bluesky", NETWORK_FAULTS, bluesky_harness),
    ContractFactory("hackernews", NETWORK_FAULTS, hackernews_harness),
    ContractFactory("rss", NETWORK_FAULTS, rss_harness),
]


def harness(kind: str, clock: ManualClock, tmp_path: Path) -> AbstractContextManager[Harness]:
    return next(f for f in FACTORIES if f.kind == kind).open(clock, tmp_path)
