"""RedditConnector through the real praw/prawcore clients against a local fake of Reddit's OAuth API."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.base import Batch, BrandTerms, ConnectorContext
from connectors.reddit import RedditConnector, RedditOptions
from monitor.clock import ManualClock
from monitor.errors import SourceAuthError, SourceError, SourceUnavailable
from tests.fakes.reddit_api import FakeReddit

BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",), handles=("AcmeSupport",), exclude=("roadrunner",))


def cursor_of(batch: Batch) -> dict[str, Any]:
    assert batch.cursor is not None
    return batch.cursor


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def api(clock: ManualClock) -> Iterator[FakeReddit]:
    server = FakeReddit(client_id=f"cid-{uuid.uuid4().hex[:8]}", clock=clock).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"fetch slept {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


def make(api: FakeReddit, clock: ManualClock, brand: BrandTerms = BRAND, **options: object) -> RedditConnector:
    settings: dict = {
        "client_id": SecretStr(api.client_id),
        "client_secret": SecretStr(api.secret),
        "user_agent": "test:groundswell:0.1 (by /u/tester)",
        "oauth_url": api.url,
        "reddit_url": api.url,
        **options,
    }
    opts = RedditOptions(**settings)
    return RedditConnector(opts, ConnectorContext("reddit-acme", brand, clock))


def test_search_and_subreddit_streams_become_mentions(api: FakeReddit, clock: ManualClock) -> None:
    post = api.add_post("Acme router keeps dropping", body="third time", score=57, comments=12, author="carol")
    api.add_post("Roadrunner beats Acme", author="wile")  # excluded term
    api.add_post("unrelated", sub="cooking")
    own = api.add_post("Weekly thread", sub="acme", author="mod")
    reply = api.add_comment("Sorry, we are on it", post=own, sub="acme", author="AcmeSupport")
    api.add_post("NSFW acme", nsfw=True, author="dan")
    batch = make(api, clock, subreddits=["r/acme"]).fetch(None, limit=100)
    by_id = {m.external_id: m for m in batch.mentions}
    assert set(by_id) == {post, own, reply, next(i for i in by_id if by_id[i].author.handle == "dan")}
    carol = by_id[post]
    assert carol.text == "Acme router keeps dropping\n\nthird time"
    assert (carol.engagement.likes, carol.engagement.replies) == (57, 12)
    assert carol.url.startswith("https://www.reddit.com/r/gadgets/comments/")
    assert carol.posted_at.tzinfo is not None and carol.raw and carol.raw["over_18"] is False
    assert by_id[reply].is_brand_reply and by_id[reply].parent_id == own and by_id[reply].conversation_id == own
    assert [(m.raw or {}).get("over_18") for m in batch.mentions if m.author.handle == "dan"] == [True]
    search = next(r for r in api.listing_requests() if "search" in r.path)
    assert search.query["sort"] == "new" and search.query["q"] == "Acme NOT roadrunner"
    json.dumps(batch.cursor)


def test_deleted_and_removed_items_are_skipped_and_counted(api: FakeReddit, clock: ManualClock) -> None:
    api.add_post("Acme is fine")
    api.add_post("Acme scam", removed="moderator")
    api.add_post("Acme [deleted]", author="[deleted]")
    batch = make(api, clock).fetch(None, limit=100)
    assert [m.text for m in batch.mentions] == ["Acme is fine"]
    assert "skipped 2 deleted or removed items" in batch.problems


def test_cursor_misses_nothing_and_repeats_nothing(api: FakeReddit, clock: ManualClock) -> None:
    for i in range(23):
        api.add_post(f"Acme thing {i}", age=timedelta(minutes=30 - i))
    connector, cursor, seen = make(api, clock), None, []
    for _ in range(4):
        batch = connector.fetch(cursor, limit=10)
        assert len(batch.mentions) <= 10
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.cursor
    assert len(seen) == len(set(seen)) == 23
    clock.advance(timedelta(minutes=2))
    late = api.add_post("Acme late", age=timedelta(seconds=0))
    assert [m.external_id for m in connector.fetch(cursor, limit=10).mentions] == [late]


def test_query_budget_is_shared_per_client_id_and_never_sleeps(api: FakeReddit, clock: ManualClock) -> None:
    api.add_post("Acme one")
    first = make(api, clock, subreddits=["acme", "gadgets"], queries_per_minute=4)
    second = make(api, clock, queries_per_minute=4)
    batch = first.fetch(None, limit=100)  # token + search + 2 of the 4 subreddit listings
    assert batch.requests_made == 4 and any("budget" in p for p in batch.problems)
    assert [m.text for m in batch.mentions] == ["Acme one"]
    starved = second.fetch(None, limit=100)
    assert starved.requests_made == 0 and starved.mentions == []
    clock.advance(timedelta(seconds=30))  # 2 tokens back: token fetch + search
    assert [m.text for m in second.fetch(None, limit=100).mentions] == ["Acme one"]


def test_karma_as_reach_when_enabled(api: FakeReddit, clock: ManualClock) -> None:
    api.add_post("Acme broke", author="bigposter")
    api.add_post("Acme broke again", author="bigposter")
    api.add_post("Acme sucks", author="banned")
    api.karma["bigposter"] = 250_000
    api.suspended.add("banned")
    batch = make(api, clock, fetch_karma=True).fetch(None, limit=10)
    assert {m.author.handle: m.author.followers for m in batch.mentions} == {"bigposter": 250_000, "banned": None}
    assert sum(r.path.startswith("/user/") for r in api.requests) == 2  # once per author


@pytest.mark.parametrize(
    ("fault", "prefix", "error"),
    [
        ("401", "/api/v1/access_token", SourceAuthError),
        ("403", "/r/", SourceAuthError),
        ("500", "/r/", SourceUnavailable),
        ("503", "", SourceUnavailable),
        ("truncated", "/r/", SourceUnavailable),
        ("reset", "", SourceUnavailable),
        ("429", "/r/", SourceUnavailable),
    ],
)
def test_errors_are_mapped_without_sleeping(
    api: FakeReddit, clock: ManualClock, fault: str, prefix: str, error: type[SourceError]
) -> None:
    api.add_post("Acme")
    api.fail(fault, prefix)
    with pytest.raises(error) as caught:
        make(api, clock).fetch(None, limit=10)
    assert type(caught.value) is error and caught.value.source == "reddit-acme"
    if fault == "429":
        assert isinstance(caught.value, SourceUnavailable)
        assert caught.value.retry_after == 300  # the fake's x-ratelimit-reset
        assert caught.value.reset_at == clock() + timedelta(seconds=300)


def test_reddit_saying_zero_remaining_is_a_retry_after_not_a_sleep(api: FakeReddit, clock: ManualClock) -> None:
    api.add_post("hello", sub="acme")  # the search finds nothing, so the error is raised, not noted
    api.remaining = 1
    connector = make(api, clock, subreddits=["acme"])
    with pytest.raises(SourceUnavailable) as caught:
        connector.fetch(None, limit=10)
    assert caught.value.retry_after and 200 < caught.value.retry_after <= 300
    assert caught.value.reset_at == clock() + timedelta(seconds=caught.value.retry_after)


def test_slow_server_times_out(api: FakeReddit, clock: ManualClock) -> None:
    api.fail("slow", "/r/")
    started = datetime.now(UTC)
    with pytest.raises(SourceUnavailable, match="could not be reached"):
        make(api, clock, timeout_seconds=0.3).fetch(None, limit=10)
    assert datetime.now(UTC) - started < timedelta(seconds=3)


def test_check_maps_bad_credentials(api: FakeReddit, clock: ManualClock) -> None:
    connector = make(api, clock)
    connector.check()
    api.secret, api.tokens_issued = "rotated", 0  # credentials revoked: old token and secret refused
    with pytest.raises(SourceAuthError):
        make(api, clock, client_secret=SecretStr("old")).check()
