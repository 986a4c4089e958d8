"""Hostile values from real clients against local fakes: every connector clamps huge counts, strips NUL and
skips (and reports) an unusable post, while the posts around it still come through."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from connectors.base import BrandTerms, ConnectorContext, Mention
from connectors.bluesky import BlueskyConnector, BlueskyOptions
from connectors.hackernews import HackerNewsConnector, HackerNewsOptions
from connectors.mastodon import MastodonConnector, MastodonInstance, MastodonOptions
from connectors.reddit import RedditConnector, RedditOptions
from connectors.rss import RssConnector, RssOptions
from connectors.x import XConnector, XOptions
from monitor.clock import ManualClock
from tests.fakes.bluesky_api import FakeBluesky
from tests.fakes.feeds import FakeFeeds
from tests.fakes.hn_api import FakeHN
from tests.fakes.mastodon_api import FakeMastodon
from tests.fakes.reddit_api import FakeReddit
from tests.fakes.x_api import FakeX

BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",))
INT_MAX = 2**31 - 1
HUGE = 12345678901234567890123  # 23 digits
FAR = "2300-01-01T00:00:00.000Z"  # parses, but no post is from then


def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


def by_id(mentions: list[Mention]) -> dict[str, Mention]:
    return {m.external_id: m for m in mentions}


def test_hackernews(tmp_path: Path) -> None:
    time = clock()
    api = FakeHN(clock=time).start()
    try:
        ok = api.add_story("Acme fine")
        big = api.add_story("Acme huge", points=1)
        api.items[-1].update(points=HUGE, num_comments=1e30, author="ev\x00il")
        bad = api.add_story("Acme from the far future")
        api.items[-1]["created_at_i"] = 10**20
        connector = HackerNewsConnector(HackerNewsOptions(base_url=api.url, timeout_seconds=2),
                                        ConnectorContext("hn", BRAND, time))
        batch = connector.fetch(None, limit=50)
    finally:
        api.stop()
    found = by_id(batch.mentions)
    assert set(found) == {ok, big}
    assert (found[big].engagement.likes, found[big].engagement.replies, found[big].author.handle) == (
        INT_MAX, INT_MAX, "evil")
    assert any(bad not in p and "created_at_i" in p for p in batch.problems), batch.problems


def test_x() -> None:
    time = clock()
    api = FakeX(clock=time).start()
    try:
        ok = api.add_tweet("Acme fine", user="carol")
        big = api.add_tweet("Acme huge", user="dave")
        api.tweets[-1]["public_metrics"]["like_count"] = HUGE
        api.users[api.tweets[-1]["author_id"]]["public_metrics"]["followers_count"] = 1e30
        bad = api.add_tweet("Acme far future", user="erin")
        api.tweets[-1]["created_at"] = FAR
        connector = XConnector(XOptions(bearer_token=SecretStr(api.token), base_url=api.url, timeout_seconds=2),
                               ConnectorContext("x", BRAND, time))
        batch = connector.fetch(None, limit=50)
    finally:
        api.stop()
    found = by_id(batch.mentions)
    assert set(found) == {ok, big}
    assert found[big].engagement.likes == INT_MAX and found[big].author.followers == INT_MAX
    assert any(bad in p and "outside" in p for p in batch.problems), batch.problems


def test_mastodon() -> None:
    time = clock()
    api = FakeMastodon("one.example", clock=time).start()
    try:
        ok = api.add_status("#acme fine")
        big = api.add_status("#acme huge", user="dave")
        api.statuses[-1].update(favourites_count=HUGE, reblogs_count=3_000_000_000)
        api.statuses[-1]["account"]["followers_count"] = 1e30
        api.add_status("#acme far future", user="erin")
        api.statuses[-1]["created_at"] = FAR
        options = MastodonOptions(instances=[MastodonInstance(url=api.url, access_token=SecretStr(api.token))],
                                  hashtags=["acme"], search_queries=[], timeout_seconds=2)
        batch = MastodonConnector(options, ConnectorContext("m", BRAND, time)).fetch(None, limit=50)
    finally:
        api.stop()
    found = by_id(batch.mentions)
    assert set(found) == {ok, big}
    assert (found[big].engagement.likes, found[big].engagement.reposts, found[big].author.followers) == (
        INT_MAX, INT_MAX, INT_MAX)
    assert any("outside" in p for p in batch.problems), batch.problems


def test_bluesky(tmp_path: Path) -> None:
    time = clock()
    api = FakeBluesky(clock=time).start()
    try:
        ok = api.add_post("Acme fine")
        big = api.add_post("Acme huge", handle="dave.bsky.social", likes=HUGE)
        bad = api.add_post("Acme broken date", handle="erin.bsky.social")
        api.posts[-1]["record"]["createdAt"] = "yesterday"
        options = BlueskyOptions(handle=api.handle, app_password=SecretStr(api.password), base_url=api.url,
                                 queries=["Acme"], timeout_seconds=2)
        batch = BlueskyConnector(options, ConnectorContext("b", BRAND, time)).fetch(None, limit=50)
    finally:
        api.stop()
    found = by_id(batch.mentions)
    assert set(found) == {ok, big}
    assert found[big].engagement.likes == INT_MAX
    assert any(bad in p for p in batch.problems), batch.problems


def test_reddit() -> None:
    time = clock()
    api = FakeReddit(client_id="hostile-reddit", clock=time).start()
    try:
        ok = api.add_post("Acme fine", sub="acme")
        big = api.add_post("Acme huge", sub="acme", author="dave")
        api.items[-1]["data"].update(score=HUGE, num_comments=3_000_000_000)
        bad = api.add_post("Acme far future", sub="acme", author="erin")
        api.items[-1]["data"]["created_utc"] = 1e20
        options = RedditOptions(client_id=SecretStr(api.client_id), client_secret=SecretStr(api.secret),
                                user_agent="test:groundswell:0.1 (by /u/tester)", oauth_url=api.url,
                                reddit_url=api.url, timeout_seconds=2, subreddits=["acme"], search_all=False)
        batch = RedditConnector(options, ConnectorContext("r", BRAND, time)).fetch(None, limit=50)
    finally:
        api.stop()
    found = by_id(batch.mentions)
    assert set(found) == {ok, big}
    assert (found[big].engagement.likes, found[big].engagement.replies) == (INT_MAX, INT_MAX)
    assert any(bad in p and "created_utc" in p for p in batch.problems), batch.problems


def test_rss_long_ids_become_a_stable_digest() -> None:
    time = clock()
    api = FakeFeeds(clock=time).start()
    try:
        long_link = "https://news.example.com/" + "a" * 20_000
        api.add_entry("news", "Acme fine")
        api.add_entry("news", "Acme long", link=long_link, no_guid=True)
        connector = RssConnector(RssOptions(feeds=[f"{api.url}/rss/news"], timeout_seconds=2),
                                 ConnectorContext("rss", BRAND, time))
        first = connector.fetch(None, limit=50)
        again = connector.fetch(None, limit=50)
    finally:
        api.stop()
    long = next(m for m in first.mentions if m.text == "Acme long")
    assert long.external_id.startswith("sha256:") and long.url == ""
    assert long.external_id in {m.external_id for m in again.mentions}  # the same post gets the same id
    assert len(first.mentions) == 2 and not first.problems
