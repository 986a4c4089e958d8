"""XConnector through the real tweepy client against a local fake of X's recent-search API."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from connectors.base import Batch, BrandTerms, ConnectorContext
from connectors.paging import split_query
from connectors.x import XConnector, XOptions, build_queries
from monitor.clock import ManualClock
from monitor.errors import ConfigError, SourceAuthError, SourceError, SourceUnavailable
from tests.fakes.x_api import ACME_TERMS as BRAND
from tests.fakes.x_api import FakeX


def cursor_of(batch: Batch) -> dict[str, Any]:
    assert batch.cursor is not None
    return batch.cursor


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def api(clock: ManualClock) -> Iterator[FakeX]:
    server = FakeX(clock=clock).start()
    yield server
    server.stop()


def make(api: FakeX, clock: ManualClock, brand: BrandTerms = BRAND, **options: object) -> XConnector:
    opts = XOptions(bearer_token=SecretStr("test-bearer"), base_url=api.url, **options)  # type: ignore[arg-type]
    return XConnector(opts, ConnectorContext("x-acme", brand, clock))


def test_mentions_carry_author_metrics_and_links(api: FakeX, clock: ManualClock) -> None:
    original = api.add_tweet("Acme Cloud is down again", user="carol", followers=120_000, likes=40, retweets=9)
    api.add_tweet("RT @carol: Acme Cloud is down again", user="dave", refs=[("retweeted", original)])
    api.add_tweet("so true", user="erin", refs=[("quoted", original)])  # no brand term: not matched
    quote = api.add_tweet("Acme please fix", user="erin", refs=[("quoted", original)])
    ask = api.add_tweet("@acme my invoice is wrong", user="frank")
    api.add_tweet("@frank sorry, DM us", user="AcmeHelp", refs=[("replied_to", ask)])
    connector = make(api, clock, include_retweets=True)
    batch = connector.fetch(None, limit=50)
    by_id = {m.external_id: m for m in batch.mentions}
    carol = by_id[original]
    assert (carol.author.handle, carol.author.followers) == ("carol", 120_000)
    assert (carol.engagement.likes, carol.engagement.reposts, carol.lang) == (40, 9, "en")
    assert carol.url == f"https://x.com/carol/status/{original}"
    assert carol.posted_at.tzinfo is not None and carol.posted_at < clock()
    assert by_id[quote].quoted_id == original
    assert [m.reposted_id for m in batch.mentions if m.author.handle == "dave"] == [original]
    reply = next(m for m in batch.mentions if m.author.handle == "AcmeHelp")
    assert reply.is_brand_reply and reply.parent_id == ask and reply.conversation_id == ask
    assert not by_id[ask].is_brand_reply
    assert len(batch.mentions) == 5
    json.dumps(batch.cursor)


def test_a_customers_reply_and_quote_name_the_tweet_they_answer_by_its_id(api: FakeX, clock: ManualClock) -> None:
    """Through tweepy's ``referenced_tweets``: a retelling that replies to or quotes a complaint names it by the id
    the complaint is stored under, so it joins the complaint's story and incident (issue #12)."""
    first = api.add_tweet("Acme cancelled my flight at the gate", user="carol")
    reply = api.add_tweet("@carol Acme scrapped ours at boarding too", user="dave", refs=[("replied_to", first)])
    quote = api.add_tweet("Acme axed our trip as we boarded", user="erin", refs=[("quoted", first)])
    by_id = {m.external_id: m for m in make(api, clock).fetch(None, limit=50).mentions}
    assert by_id[reply].parent_id == first and not by_id[reply].is_brand_reply and by_id[reply].quoted_id is None
    assert by_id[quote].quoted_id == first and by_id[quote].parent_id is None
    assert by_id[first].local_id is None  # X names a tweet by its id everywhere


def test_request_asks_for_expansions_and_never_more_than_the_limit(api: FakeX, clock: ManualClock) -> None:
    for i in range(30):
        api.add_tweet(f"acme outage {i}")
    batch = make(api, clock).fetch(None, limit=25)
    assert len(batch.mentions) == 25
    first = api.search_requests()[0].query
    assert set(first["expansions"].split(",")) == {"author_id", "referenced_tweets.id"}
    assert {"created_at", "public_metrics", "lang", "conversation_id"} <= set(first["tweet.fields"].split(","))
    assert first["max_results"] == "25" and first["start_time"].startswith("2026-11-23T04:00")
    assert "since_id" not in first


def test_paging_across_polls_misses_nothing_and_repeats_nothing(api: FakeX, clock: ManualClock) -> None:
    for i in range(47):
        api.add_tweet(f"acme outage {i}")
    connector, cursor, seen = make(api, clock), None, []
    for _ in range(8):
        batch = connector.fetch(cursor, limit=12)
        assert len(batch.mentions) <= 12
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.cursor
    assert len(seen) == len(set(seen)) == 47
    new = api.add_tweet("acme again")
    assert [m.external_id for m in connector.fetch(cursor, limit=12).mentions] == [new]


def test_read_budget_per_poll_and_per_month_lives_in_the_cursor(api: FakeX, clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    for i in range(60):
        api.add_tweet(f"acme {i}")
    connector = make(api, clock, reads_per_poll=25, monthly_read_budget=45, include_brand_replies=False)
    first = connector.fetch(None, limit=500)
    assert len(first.mentions) == 25 and cursor_of(first)["reads_this_month"] == 25
    second = connector.fetch(first.cursor, limit=500)
    assert len(second.mentions) == 20 and cursor_of(second)["reads_this_month"] == 45
    assert any("budget" in p for p in second.problems)
    spent = len(api.search_requests())
    third = connector.fetch(second.cursor, limit=500)
    assert connector.usage(third.cursor) == "45 of 45 posts read in 2026-11; at most 25 per poll"
    assert third.mentions == [] and len(api.search_requests()) == spent  # nothing paid for
    clock.set(datetime(2026, 12, 1, 0, 5, tzinfo=UTC))
    december = connector.fetch(third.cursor, limit=500)
    assert cursor_of(december)["month"] == "2026-12" and len(december.mentions) == 15


def test_query_is_built_from_brand_and_split_under_512_chars() -> None:
    (query,) = build_queries(BRAND, ["en", "de"], include_retweets=False)
    assert query == '(Acme OR "Acme Cloud" OR @acme OR @AcmeHelp OR $ACME) -roadrunner (lang:en OR lang:de) -is:retweet'
    many = BrandTerms(id="b", name="B", terms=tuple(f"product{i:03d}" for i in range(120)), exclude=("x",))
    queries = build_queries(many, [], include_retweets=True)
    assert len(queries) > 1 and all(len(q) <= 512 and q.endswith(" -x") for q in queries)
    assert sum(q.count("product") for q in queries) == 120
    with pytest.raises(ValueError):
        split_query(["a" * 600])


def test_split_queries_each_keep_their_own_since_id(api: FakeX, clock: ManualClock) -> None:
    brand = BrandTerms(id="b", name="B", names=tuple(f"brandword{i:03d}" for i in range(60)))
    connector = make(api, clock, brand=brand)
    assert len(connector.queries) >= 2
    first, last = api.add_tweet("I like brandword000"), api.add_tweet("brandword059 is bad")
    batch = connector.fetch(None, limit=100)
    assert {m.external_id for m in batch.mentions} == {first, last}
    assert len(cursor_of(batch)["queries"]) == len(connector.queries)
    assert all("since_id" in state for state in cursor_of(batch)["queries"].values())


def test_partial_errors_are_reported_and_good_data_kept(api: FakeX, clock: ManualClock) -> None:
    api.add_tweet("acme replied to a deleted post", refs=[("replied_to", "999")])
    batch = make(api, clock).fetch(None, limit=10)
    assert len(batch.mentions) == 1
    assert any("Could not find tweet" in p for p in batch.problems)


def test_empty_results_keep_the_cursor_usable(api: FakeX, clock: ManualClock) -> None:
    connector = make(api, clock)
    batch = connector.fetch(None, limit=10)
    assert batch.mentions == [] and batch.requests_made == 2
    clock.advance(timedelta(minutes=5))
    tid = api.add_tweet("acme hello")
    assert [m.external_id for m in connector.fetch(batch.cursor, limit=10).mentions] == [tid]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("401", SourceAuthError),
        ("403", SourceAuthError),
        ("500", SourceUnavailable),
        ("503", SourceUnavailable),
        ("truncated", SourceUnavailable),
        ("reset", SourceUnavailable),
    ],
)
def test_errors_are_mapped(api: FakeX, clock: ManualClock, fault: str, error: type[SourceError]) -> None:
    api.add_tweet("acme")
    api.fail(fault)
    with pytest.raises(error) as caught:
        make(api, clock).fetch(None, limit=10)
    assert type(caught.value) is error and caught.value.source == "x-acme"


def test_rate_limit_gives_retry_after_from_the_reset_header(api: FakeX, clock: ManualClock) -> None:
    api.fail("429")
    with pytest.raises(SourceUnavailable) as caught:
        make(api, clock).fetch(None, limit=10)
    assert caught.value.retry_after == pytest.approx(120, abs=1)
    reset = int((clock() + timedelta(seconds=120)).timestamp())
    assert caught.value.reset_at == datetime.fromtimestamp(reset, UTC)  # the next poll goes right then


def test_slow_server_times_out(api: FakeX, clock: ManualClock) -> None:
    api.fail("slow")
    started = datetime.now(UTC)
    with pytest.raises(SourceUnavailable, match="did not answer"):
        make(api, clock, timeout_seconds=0.3).fetch(None, limit=10)
    assert datetime.now(UTC) - started < timedelta(seconds=3)


def test_failure_after_progress_keeps_what_was_read(api: FakeX, clock: ManualClock) -> None:
    for i in range(15):
        api.add_tweet(f"acme {i}")
    connector = make(api, clock, include_brand_replies=True)
    api.fail("500", path_prefix="/2/tweets")
    with pytest.raises(SourceUnavailable):
        connector.fetch(None, limit=100)
    api.clear()
    batch = connector.fetch(None, limit=100)
    assert len(batch.mentions) == 15


def test_check_uses_the_usage_endpoint_and_maps_auth(api: FakeX, clock: ManualClock) -> None:
    make(api, clock).check()
    assert api.requests[-1].path == "/2/usage/tweets" and not api.search_requests()
    bad = XConnector(
        XOptions(bearer_token=SecretStr("wrong"), base_url=api.url), ConnectorContext("x-acme", BRAND, clock)
    )
    with pytest.raises(SourceAuthError):
        bad.check()


def test_bearer_token_never_reaches_the_log(api: FakeX, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    make(api, clock).fetch(None, limit=10)
    assert "test-bearer" not in caplog.text and "Bearer ***" in caplog.text


def test_options_refuse_unknown_keys_and_literal_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError):
        XOptions.model_validate({"bearer_token": "literal"})
    monkeypatch.setenv("X_BEARER_TOKEN", "t")
    with pytest.raises(ValidationError):
        XOptions.model_validate({"bearer_token": {"env": "X_BEARER_TOKEN"}, "wait_on_rate_limit": True})
    assert XOptions.model_validate({"bearer_token": {"env": "X_BEARER_TOKEN"}}).reads_per_poll == 300


def test_impossible_query_is_a_config_error(api: FakeX, clock: ManualClock) -> None:
    brand = BrandTerms(id="b", name="B", names=("b",), exclude=tuple(f"word{i}" for i in range(200)))
    with pytest.raises(ConfigError, match="512"):
        make(api, clock, brand=brand)


def test_cursor_older_than_the_search_window_restarts_from_its_edge(api: FakeX, clock: ManualClock) -> None:
    api.add_tweet("acme before the outage")
    connector = make(api, clock, include_brand_replies=False)
    cursor = connector.fetch(None, limit=10).cursor
    clock.advance(timedelta(days=9))
    api.oldest_valid_id = 10**19  # every saved id is now older than 7 days
    fresh = api.add_tweet("acme after the outage", age=timedelta(hours=1))
    api.oldest_valid_id = int(fresh)
    batch = connector.fetch(cursor, limit=10)
    assert [m.external_id for m in batch.mentions] == [fresh]
    assert any("older than 7 days" in p for p in batch.problems)
    assert connector.fetch(batch.cursor, limit=10).mentions == []


def test_after_a_backlog_new_posts_come_first_and_the_gap_is_still_filled(api: FakeX, clock: ManualClock) -> None:
    backlog = [api.add_tweet(f"acme outage {i}") for i in range(47)]
    connector = make(api, clock, include_brand_replies=False)
    first = connector.fetch(None, limit=12)
    assert [m.external_id for m in first.mentions] == backlog[::-1][:12]  # newest first
    fresh = api.add_tweet("acme still down, cancelling")
    second = connector.fetch(first.cursor, limit=12)
    assert second.mentions[0].external_id == fresh  # not queued behind the 35 older posts
    seen = [m.external_id for m in first.mentions + second.mentions]
    cursor = second.cursor
    for _ in range(4):
        batch = connector.fetch(cursor, limit=12)
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.cursor
    assert sorted(seen) == sorted([*backlog, fresh]) and len(seen) == len(set(seen))
    assert "gaps" not in next(iter(cursor_of(batch)["queries"].values()))


def test_a_flow_faster_than_the_poll_budget_loses_nothing(api: FakeX, clock: ManualClock) -> None:
    connector, cursor, seen, made = make(api, clock, include_brand_replies=False), None, [], []
    for poll in range(40):  # 20 polls with 15 new posts against 12 reads a poll: gaps pile up past MAX_GAPS
        made += [api.add_tweet(f"acme down {poll}-{i}") for i in range(15 if poll < 20 else 0)]
        batch = connector.fetch(cursor, limit=12)
        if poll < 20:
            assert batch.mentions[0].external_id == made[-1]  # each poll starts with the newest post
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.cursor
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_a_backlog_saved_by_the_previous_version_is_read_newest_first(api: FakeX, clock: ManualClock) -> None:
    old = [api.add_tweet(f"acme outage {i}") for i in range(30)]
    connector = make(api, clock, include_brand_replies=False)
    before = connector.fetch(None, limit=30)  # to learn the query's key
    key = next(iter(cursor_of(before)["queries"]))
    # the old format: a backlog (since old[4], until old[20]) in progress, newest seen old[29]
    saved = {**cursor_of(before), "recent": [],
             "queries": {key: {"since_id": old[4], "until_id": old[20], "newest": old[29]}}}
    fresh = api.add_tweet("acme down again")
    first = connector.fetch(saved, limit=10)
    assert first.mentions[0].external_id == fresh
    second = connector.fetch(first.cursor, limit=10)
    read = [m.external_id for m in first.mentions + second.mentions]
    assert sorted(read) == sorted([fresh, *old[5:20]])  # the gap's 15 posts, none above or below it again


def test_a_gap_older_than_the_search_window_is_dropped_with_a_problem(api: FakeX, clock: ManualClock) -> None:
    old = [api.add_tweet(f"acme outage {i}", age=timedelta(days=8)) for i in range(25)]
    connector = make(api, clock, include_brand_replies=False)
    key = next(iter(cursor_of(connector.fetch(None, limit=10))["queries"]))
    api.oldest_valid_id = int(old[-1])  # the backlog's ids are now older than X serves; its newest is not
    fresh = api.add_tweet("acme down again")
    saved = {"queries": {key: {"since_id": old[-1], "gaps": [{"since_id": old[2], "until_id": old[20]}]}}}
    batch = connector.fetch(saved, limit=10)
    assert [m.external_id for m in batch.mentions] == [fresh]
    assert any("older than 7 days" in p for p in batch.problems)
    assert "gaps" not in cursor_of(batch)["queries"][key]
