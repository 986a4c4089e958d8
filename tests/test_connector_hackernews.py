"""HackerNewsConnector through httpx against a local fake of the Algolia HN search API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import BrandTerms, ConnectorContext
from connectors.hackernews import HackerNewsConnector, HackerNewsOptions
from monitor.clock import ManualClock
from monitor.errors import SourceAuthError, SourceUnavailable
from tests.fakes import Reply
from tests.fakes.connector_harness import patient_timeout
from tests.fakes.hn_api import FakeHN

BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",), terms=("acmecloud",))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def api(clock: ManualClock) -> Iterator[FakeHN]:
    server = FakeHN(clock=clock).start()
    yield server
    server.stop()


def make(api: FakeHN, clock: ManualClock, **options: object) -> HackerNewsConnector:
    opts = HackerNewsOptions(base_url=api.url, timeout_seconds=patient_timeout(api), **options)  # type: ignore[arg-type]
    return HackerNewsConnector(opts, ConnectorContext("hn-acme", BRAND, clock))


def test_stories_and_comments_are_normalised(api: FakeHN, clock: ManualClock) -> None:
    story = api.add_story("Acme outage <b>again</b>", text="<p>Down &amp; out</p>", points=120, comments=3,
                          author="alice")
    reply = api.add_comment("<p>Acme support never answered &gt;:(</p>", story=story, author="bob")
    api.add_story("Unrelated story")
    batch = make(api, clock).fetch(None, limit=50)
    by_id = {m.external_id: m for m in batch.mentions}
    assert set(by_id) == {story, reply}
    top = by_id[story]
    assert top.text == "Acme outage again\nDown & out" and top.engagement.likes == 120
    assert top.url == f"https://news.ycombinator.com/item?id={story}" and top.posted_at.tzinfo is not None
    comment = by_id[reply]
    assert comment.text == "Acme support never answered >:(" and comment.author.handle == "bob"
    assert comment.parent_id == story and comment.conversation_id == story
    request = api.requests[0].query
    assert request["tags"] == "(story,comment)" and request["numericFilters"].startswith("created_at_i>=")
    assert json.loads(json.dumps(batch.cursor)) == batch.cursor


def test_each_term_is_its_own_query_and_posts_are_not_doubled(api: FakeHN, clock: ManualClock) -> None:
    both = api.add_story("Acme launches acmecloud")
    batch = make(api, clock).fetch(None, limit=50)
    assert [m.external_id for m in batch.mentions] == [both]
    assert {r.query["query"] for r in api.requests} == {"Acme", "acmecloud"}


def test_backlog_pages_resume_and_same_second_posts_are_kept(api: FakeHN, clock: ManualClock) -> None:
    published = {api.add_story(f"Acme thing {i}", age=timedelta(seconds=i // 4)) for i in range(37)}
    connector, cursor, seen = make(api, clock, hits_per_page=5, queries=["Acme"]), None, []
    for _ in range(6):
        batch = connector.fetch(cursor, limit=8)
        assert len(batch.mentions) <= 8
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.cursor
    assert len(seen) == len(set(seen)) and set(seen) == published
    clock.advance(timedelta(minutes=5))
    late = api.add_story("Acme later", age=timedelta(0))
    assert [m.external_id for m in connector.fetch(cursor, limit=8).mentions] == [late]


def test_requests_per_poll_bound_the_work(api: FakeHN, clock: ManualClock) -> None:
    for i in range(30):
        api.add_story(f"Acme {i}")
    batch = make(api, clock, hits_per_page=5, requests_per_poll=2, queries=["Acme"]).fetch(None, limit=100)
    assert len(batch.mentions) == 10 and batch.requests_made == 2
    rest = make(api, clock, hits_per_page=5, queries=["Acme"]).fetch(batch.cursor, limit=100)
    assert len(rest.mentions) == 20


def test_empty_results_keep_a_moving_window(api: FakeHN, clock: ManualClock) -> None:
    batch = make(api, clock).fetch(None, limit=10)
    assert batch.mentions == [] and batch.problems == []
    states = batch.cursor["queries"].values()
    assert all(s["since"] == int((clock() - timedelta(hours=24)).timestamp()) for s in states)


@pytest.mark.parametrize(("fault", "error"), [("401", SourceAuthError), ("403", SourceAuthError),
                                              ("429", SourceUnavailable), ("500", SourceUnavailable),
                                              ("truncated", SourceUnavailable), ("slow", SourceUnavailable),
                                              ("reset", SourceUnavailable)])
def test_faults_raise_project_errors(api: FakeHN, clock: ManualClock, fault: str, error: type) -> None:
    api.add_story("Acme down")
    api.fail(fault)
    with pytest.raises(error) as caught:
        make(api, clock).fetch(None, limit=10)
    assert type(caught.value) is error
    if fault == "429":
        assert caught.value.retry_after == 60
        assert caught.value.reset_at == clock() + timedelta(seconds=60)  # its Retry-After: the next poll goes then


def test_malformed_hits_are_skipped_with_a_note(api: FakeHN, clock: ManualClock) -> None:
    good = api.add_story("Acme fine")
    api.odd_hits += [{"title": "Acme no id", "created_at_i": 1}, "not an object",
                     {"objectID": "7", "title": "Acme", "created_at_i": "soon"}]
    batch = make(api, clock, queries=["Acme"]).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == [good]
    assert len([p for p in batch.problems if "malformed" in p]) == 3


def test_a_payload_without_hits_is_unavailable(api: FakeHN, clock: ManualClock) -> None:
    api.route = lambda req: Reply(200, b'{"message": "ok"}', {"content-type": "application/json"})  # type: ignore
    with pytest.raises(SourceUnavailable, match="no hits"):
        make(api, clock).fetch(None, limit=10)


def test_check_reaches_the_api(api: FakeHN, clock: ManualClock) -> None:
    make(api, clock).check()
    api.fail("503")
    with pytest.raises(SourceUnavailable):
        make(api, clock).check()
