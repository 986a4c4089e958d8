"""RssConnector through httpx + feedparser against a local feed host (RSS 2.0, Google Alerts-style Atom)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import BrandTerms, ConnectorContext
from connectors.rss import RssConnector, RssOptions, html_to_text, unwrap_link
from monitor.clock import ManualClock
from monitor.errors import SourceAuthError, SourceUnavailable
from tests.fakes.connector_harness import patient_timeout
from tests.fakes.feeds import FakeFeeds

BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def api(clock: ManualClock) -> Iterator[FakeFeeds]:
    server = FakeFeeds(clock=clock).start()
    yield server
    server.stop()


def make(api: FakeFeeds, clock: ManualClock, feeds: list[str], **options: object) -> RssConnector:
    opts = RssOptions(feeds=[f"{api.url}{f}" for f in feeds], timeout_seconds=patient_timeout(api), **options)  # type: ignore[arg-type]
    return RssConnector(opts, ConnectorContext("rss-acme", BRAND, clock))


def test_html_is_reduced_to_text_and_links_unwrapped() -> None:
    assert html_to_text('<p>Acme <b>broke</b><script>alert("x")</script> &amp; <img src=x onerror=y>it</p>') \
        == "Acme broke & it"
    assert html_to_text("<style>p {}</style>5 &lt; 6 <br/>and&nbsp;more") == "5 < 6 and more"  # text, not markup
    wrapped = "https://www.google.com/url?rct=j&sa=t&url=https%3A%2F%2Fnews.example.com%2Fa%3Fb%3D1&ct=ga"
    assert unwrap_link(wrapped) == "https://news.example.com/a?b=1"
    assert unwrap_link("https://evil.example/url?url=https://x") == "https://evil.example/url?url=https://x"


def test_google_alerts_atom_entries_are_normalised(api: FakeFeeds, clock: ManualClock) -> None:
    first = api.add_entry("acme", "<b>Acme</b> fined", summary="Regulator fines <i>Acme</i> &amp; co",
                          google=True, link="https://news.example.com/fine", age=timedelta(hours=2))
    second = api.add_entry("acme", "Acme outage", google=True)
    batch = make(api, clock, ["/atom/acme"]).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == [first, second]  # oldest first
    fine = batch.mentions[0]
    assert fine.url == "https://news.example.com/fine" and fine.text == "Acme fined\nRegulator fines Acme & co"
    assert fine.posted_at == clock() - timedelta(hours=2) and fine.author.name == "Google Alert - acme"
    assert json.loads(json.dumps(batch.cursor)) == batch.cursor


def test_conditional_get_and_dedupe(api: FakeFeeds, clock: ManualClock) -> None:
    old = api.add_entry("news", "Acme one", no_guid=True)
    connector = make(api, clock, ["/rss/news"])
    first = connector.fetch(None, limit=10)
    assert [m.external_id for m in first.mentions] == [old] and first.mentions[0].url == old
    again = connector.fetch(first.cursor, limit=10)
    assert again.mentions == [] and api.requests[-1].headers.get("if-none-match")
    new = api.add_entry("news", "Acme two", no_guid=True)
    third = connector.fetch(again.cursor, limit=10)
    assert [m.external_id for m in third.mentions] == [new]


def test_limit_cut_forgets_validators_so_the_rest_comes_next_time(api: FakeFeeds, clock: ManualClock) -> None:
    published = [api.add_entry("news", f"Acme {i}", age=timedelta(minutes=30 - i)) for i in range(12)]
    connector = make(api, clock, ["/rss/news"])
    first = connector.fetch(None, limit=5)
    assert [m.external_id for m in first.mentions] == published[:5]
    assert "etag" not in next(iter(first.cursor["feeds"].values()))
    second = connector.fetch(first.cursor, limit=5)
    third = connector.fetch(second.cursor, limit=5)
    assert [m.external_id for m in second.mentions + third.mentions] == published[5:]


def test_match_brand_filters_broad_feeds_and_many_feeds_mix(api: FakeFeeds, clock: ManualClock) -> None:
    keep = api.add_entry("reviews", "Acme app crashes on login")
    api.add_entry("reviews", "Another app is fine")
    status = api.add_entry("status", "Degraded performance")
    connector = make(api, clock, ["/rss/reviews", "/atom/status"], match_brand=True)
    assert [m.external_id for m in connector.fetch(None, limit=10).mentions] == [keep]
    everything = make(api, clock, ["/rss/reviews", "/atom/status"]).fetch(None, limit=10)
    assert status in {m.external_id for m in everything.mentions} and len(everything.mentions) == 3


def test_one_broken_feed_is_a_problem_not_an_outage(api: FakeFeeds, clock: ManualClock) -> None:
    good = api.add_entry("news", "Acme news")
    batch = make(api, clock, ["/rss/missing", "/rss/news"]).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == [good]
    assert batch.problems and "404" in batch.problems[0]


@pytest.mark.parametrize(("fault", "error"), [("401", SourceAuthError), ("403", SourceAuthError),
                                              ("429", SourceUnavailable), ("503", SourceUnavailable),
                                              ("truncated", SourceUnavailable), ("slow", SourceUnavailable),
                                              ("reset", SourceUnavailable)])
def test_faults_raise_project_errors(api: FakeFeeds, clock: ManualClock, fault: str, error: type) -> None:
    for i in range(6):
        api.add_entry("news", f"Acme story number {i} with a longer summary", summary="<p>text</p>" * 5)
    api.fail(fault)
    with pytest.raises(error) as caught:
        make(api, clock, ["/rss/news"]).fetch(None, limit=10)
    assert type(caught.value) is error
    if fault in ("429", "503"):
        assert caught.value.retry_after == 120
        assert caught.value.reset_at == clock() + timedelta(seconds=120)  # Retry-After: the next poll goes then


def test_malformed_documents_and_entries(api: FakeFeeds, clock: ManualClock) -> None:
    api.raw["junk"] = b"<html><body>this is not a feed"
    with pytest.raises(SourceUnavailable, match="feed"):
        make(api, clock, ["/rss/junk"]).fetch(None, limit=10)
    api.raw["empty"] = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                        b"<item><link>https://x.example/1</link></item></channel></rss>")
    batch = make(api, clock, ["/rss/empty"]).fetch(None, limit=10)
    assert batch.mentions == [] and "without title" in batch.problems[0]


def test_json_feeds_are_read_too(api: FakeFeeds, clock: ManualClock) -> None:
    api.raw["reviews.json"] = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "App reviews",
        "items": [{"id": "r2", "url": "https://reviews.example/r2", "title": "Acme app crashes",
                   "content_html": "<p>1 star</p>", "date_published": "2026-11-23T09:00:00Z",
                   "authors": [{"name": "Zed"}]},
                  {"id": "r1", "url": "https://reviews.example/r1", "content_text": "Acme is fine",
                   "date_published": "2026-11-22T09:00:00+01:00"}, "junk"]}).encode()
    batch = make(api, clock, ["/rss/reviews.json"]).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == ["r1", "r2"]
    newest = batch.mentions[1]
    assert newest.text == "Acme app crashes\n1 star" and newest.author.handle == "Zed"
    assert newest.posted_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC) and newest.author.name == "App reviews"
    api.raw["bad.json"] = b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}'
    with pytest.raises(SourceUnavailable, match="JSON feed"):
        make(api, clock, ["/rss/bad.json"]).fetch(None, limit=10)


def test_oversized_feeds_are_refused(api: FakeFeeds, clock: ManualClock) -> None:
    for i in range(50):
        api.add_entry("big", f"Acme {i}", summary="x" * 200)
    with pytest.raises(SourceUnavailable, match="larger than"):
        make(api, clock, ["/rss/big"], max_bytes=2000).fetch(None, limit=10)


def test_check_reads_every_feed(api: FakeFeeds, clock: ManualClock) -> None:
    api.add_entry("news", "Acme")
    make(api, clock, ["/rss/news"]).check()
    with pytest.raises(SourceUnavailable, match="404"):
        make(api, clock, ["/rss/news", "/rss/gone"]).check()
