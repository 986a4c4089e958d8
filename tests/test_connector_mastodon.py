"""MastodonConnector through the real Mastodon.py client against local fake instances."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from connectors.base import BrandTerms, ConnectorContext
from connectors.mastodon import MastodonConnector, MastodonInstance, MastodonOptions
from monitor.clock import ManualClock
from monitor.errors import SourceAuthError, SourceUnavailable
from tests.fakes.connector_harness import patient_timeout
from tests.fakes.mastodon_api import FakeMastodon

BRAND = BrandTerms(id="acme", name="Acme", names=("Acme", "Acme Cloud"), handles=("acmehelp", "@help@one.example"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def one(clock: ManualClock) -> Iterator[FakeMastodon]:
    server = FakeMastodon("one.example", clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def two(clock: ManualClock) -> Iterator[FakeMastodon]:
    server = FakeMastodon("two.example", token="other-token", clock=clock).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


def instance(api: FakeMastodon, token: bool = True) -> MastodonInstance:
    return MastodonInstance(url=api.url, access_token=SecretStr(api.token) if token else None)


def make(clock: ManualClock, *apis: FakeMastodon, token: bool = True, **options: object) -> MastodonConnector:
    opts = MastodonOptions(instances=[instance(a, token) for a in apis], timeout_seconds=patient_timeout(*apis),
                           **options)  # type: ignore[arg-type]
    return MastodonConnector(opts, ConnectorContext("mastodon-acme", BRAND, clock))


def test_statuses_are_normalised_and_tags_come_from_the_brand(one: FakeMastodon, clock: ManualClock) -> None:
    uri = one.add_status("#acme is <down> again", user="carol", followers=1234, spoiler="rant")
    connector = make(clock, one, token=False)
    assert connector.hashtags == ["acme", "acmecloud", "acmehelp", "helponeexample"]
    assert connector.streams()[-1][1] == "tag"
    batch = connector.fetch(None, limit=10)
    (mention,) = batch.mentions
    assert mention.external_id == uri and mention.url.startswith("https://one.example/@carol/")
    assert mention.text == "rant\n#acme is <down> again"
    assert (mention.author.handle, mention.author.followers) == ("carol@one.example", 1234)
    assert (mention.engagement.likes, mention.engagement.reposts, mention.lang) == (5, 2, "en")
    assert mention.posted_at.utcoffset() == timedelta(0)
    assert json.loads(json.dumps(batch.cursor)) == batch.cursor
    assert not one.search_requests()  # no token: no status search and not the brand's own account
    assert not mention.is_brand_reply
    one.add_status("#acme sorry, we are on it", user="help", reply_to=mention.raw["id"] if mention.raw else None)
    (answer,) = connector.fetch(batch.cursor, limit=10).mentions
    assert answer.is_brand_reply and answer.parent_id and answer.author.handle == "help@one.example"


def test_search_needs_a_token_and_finds_only_opted_in_posts(one: FakeMastodon, clock: ManualClock) -> None:
    found = one.add_status("Acme Cloud billing is broken")
    one.add_status("Acme Cloud private thoughts", indexable=False)
    batch = make(clock, one, hashtags=[]).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == [found]
    assert {r.query["q"] for r in one.search_requests()} == {"Acme", '"Acme Cloud"'}
    assert one.search_requests()[0].query["type"] == "statuses"


def test_the_same_status_on_two_instances_is_one_mention(one: FakeMastodon, two: FakeMastodon,
                                                        clock: ManualClock) -> None:
    uri = one.add_status("#acme outage")
    one.federate(uri, two)
    only_two = two.add_status("#acme fine here", user="dan")
    batch = make(clock, one, two, hashtags=["acme"], search_queries=[]).fetch(None, limit=10)
    assert sorted(m.external_id for m in batch.mentions) == sorted([uri, only_two])
    states = batch.cursor["streams"]
    assert len(states) == 2 and all("since" in s for s in states.values())


def test_backlog_is_paged_with_max_id_and_resumed(one: FakeMastodon, clock: ManualClock) -> None:
    published = [one.add_status(f"#acme {i}", age=timedelta(minutes=60 - i)) for i in range(53)]
    connector, cursor, seen = make(clock, one, hashtags=["acme"], search_queries=[], page_size=20), None, []
    for _ in range(5):
        batch = connector.fetch(cursor, limit=15)
        assert len(batch.mentions) <= 15
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.cursor
    assert len(seen) == len(set(seen)) == 53 and set(seen) == set(published)
    clock.advance(timedelta(minutes=1))
    new = one.add_status("#acme new", age=timedelta(0))
    assert [m.external_id for m in connector.fetch(cursor, limit=15).mentions] == [new]
    assert "since_id" in one.requests[-1].query


def test_first_run_stops_at_the_lookback(one: FakeMastodon, clock: ManualClock) -> None:
    one.add_status("#acme ancient", age=timedelta(days=3))
    recent = one.add_status("#acme fresh")
    batch = make(clock, one, hashtags=["acme"], search_queries=[], lookback_hours=24).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == [recent]


def test_rate_limit_headers_are_respected_without_sleeping(one: FakeMastodon, clock: ManualClock) -> None:
    for i in range(10):
        one.add_status(f"#acme {i}")
    one.remaining = 4  # one goes to Mastodon.py's /api/v2/instance probe
    connector = make(clock, one, hashtags=["acme"], search_queries=[], page_size=2, ratelimit_reserve=1)
    batch = connector.fetch(None, limit=50)
    assert len(batch.mentions) == 4 and batch.requests_made == 2  # stopped once remaining hit the reserve
    with pytest.raises(SourceUnavailable) as caught:
        connector.fetch(batch.cursor, limit=50)
    assert 200 < (caught.value.retry_after or 0) <= 302  # Date header has whole seconds


def test_one_failing_instance_does_not_stop_the_others(one: FakeMastodon, two: FakeMastodon,
                                                       clock: ManualClock) -> None:
    good = two.add_status("#acme works")
    one.fail("503")
    batch = make(clock, one, two, hashtags=["acme"], search_queries=[]).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == [good] and "503" in batch.problems[0]


@pytest.mark.parametrize(("fault", "error"), [("401", SourceAuthError), ("403", SourceAuthError),
                                              ("429", SourceUnavailable), ("500", SourceUnavailable),
                                              ("truncated", SourceUnavailable), ("slow", SourceUnavailable),
                                              ("reset", SourceUnavailable)])
def test_faults_raise_project_errors(one: FakeMastodon, clock: ManualClock, fault: str, error: type) -> None:
    one.add_status("#acme down")
    one.fail(fault)
    with pytest.raises(error) as caught:
        make(clock, one, hashtags=["acme"]).fetch(None, limit=10)
    assert type(caught.value) is error and "test-token" not in str(caught.value)
    if fault == "429":
        assert caught.value.retry_after and caught.value.retry_after > 0
        assert caught.value.reset_at is not None  # X-RateLimit-Reset: the next poll goes right then


def test_malformed_statuses_are_skipped(one: FakeMastodon, clock: ManualClock) -> None:
    good = one.add_status("#acme ok")
    one.add_status("#acme broken")
    del one.statuses[-1]["account"]
    batch = make(clock, one, hashtags=["acme"], search_queries=[]).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == [good]
    assert any("malformed" in p for p in batch.problems)


def test_without_the_sources_extra_the_kind_is_reported_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from monitor.registry import load_status, plugin_class

    monkeypatch.setitem(sys.modules, "mastodon", None)  # as if Mastodon.py were not installed
    monkeypatch.delitem(sys.modules, "connectors.mastodon", raising=False)
    plugin_class.cache_clear()  # an earlier test may have loaded the real plugin class in this process
    try:
        status = load_status("groundswell.connectors")
    finally:
        plugin_class.cache_clear()
    assert "groundswell[sources]" in status["mastodon"] and status["hackernews"] == "available"


def test_check_reads_one_page_per_instance(one: FakeMastodon, two: FakeMastodon, clock: ManualClock) -> None:
    make(clock, one, two).check()
    two.fail("401")
    with pytest.raises(SourceAuthError, match="401"):
        make(clock, one, two).check()


def test_replies_and_quotes_name_their_parent_as_the_parent_names_itself(one: FakeMastodon, clock: ManualClock) -> None:
    """A reply's ``parent_id`` and a quote's ``quoted_id`` are the instance's status id, which the parent carries
    as ``local_id`` (its ``external_id`` is its URI): so a reply or quote joins the incident of what it answers."""
    one.add_status("#acme lost my whole inbox", user="carol")
    connector = make(clock, one, token=False)
    batch = connector.fetch(None, limit=10)
    (first,) = batch.mentions
    assert first.raw and first.local_id == f"{first.raw['instance']}/{first.raw['id']}" != first.external_id
    local = first.raw["id"]
    one.add_status("#acme same, every folder empty", user="dave", reply_to=local)
    one.add_status("#acme this again? my mail vanished too", user="erin", quote_of=local)
    later = connector.fetch(batch.cursor, limit=10).mentions
    by_user = {m.author.handle: m for m in later}
    assert by_user["dave@one.example"].parent_id == first.local_id
    assert by_user["erin@one.example"].quoted_id == first.local_id
    assert by_user["erin@one.example"].parent_id is None and by_user["dave@one.example"].quoted_id is None
