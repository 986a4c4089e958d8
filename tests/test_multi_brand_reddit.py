"""One Reddit source for many brands: OR-packed search queries under Reddit's 512-character ``q`` through the
real praw client and the fake Reddit API, posts routed to brands locally, and the deployment's Reddit
requests per minute in `groundswell sources` (mirrors tests/test_multi_brand_sources.py for X)."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import prawcore
import pytest
from rich.console import Console
from sqlmodel import Session, select

from connectors.reddit_queries import build_queries
from monitor.brands import BrandTerms
from monitor.cli.checks import print_sources
from monitor.clock import ManualClock
from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.storage.tables import Mention
from tests.fakes.reddit_api import FakeReddit
from tests.fakes.settings_files import make_settings

NOW = datetime.now(UTC).replace(microsecond=0)
BRANDS = [{"id": "acme", "name": "Acme", "names": ["Acme", "Acme Cloud"], "handles": ["@acmehelp"],
           "exclude": ["roadrunner"]},
          {"id": "bolt", "name": "Bolt Energy", "names": ["Bolt Energy"], "handles": ["@bolthelp"]},
          {"id": "crest", "name": "Crest", "terms": ["crestbank"]}]


@pytest.fixture
def api() -> Iterator[FakeReddit]:
    server = FakeReddit(client_id=f"cid-{uuid.uuid4().hex[:8]}", clock=ManualClock(NOW)).start()
    yield server
    server.stop()


def _reddit_source(api: FakeReddit, monkeypatch: pytest.MonkeyPatch, **extra: Any) -> dict[str, Any]:
    monkeypatch.setenv("GS_TEST_REDDIT_ID", api.client_id)
    monkeypatch.setenv("GS_TEST_REDDIT_SECRET", api.secret)
    return {"id": "reddit-all", "kind": "reddit", "client_id": {"env": "GS_TEST_REDDIT_ID"},
            "client_secret": {"env": "GS_TEST_REDDIT_SECRET"}, "user_agent": "linux:groundswell:test (by u/t)",
            "oauth_url": api.url, "reddit_url": api.url, "interval_seconds": 60, **extra}


def _searches(api: FakeReddit) -> list[str]:
    return [r.query["q"] for r in api.listing_requests() if "/search" in r.path]


def test_one_search_serves_three_brands_and_each_post_goes_to_the_brands_it_names(
        api: FakeReddit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    down = api.add_post("Acme Cloud is down again")
    posts = {down: {"acme"},
             api.add_post("Bolt Energy and Acme both failed me today"): {"acme", "bolt"},
             api.add_post("Switching banks", body="moved my savings to crestbank"): {"crest"},
             api.add_post("Roadrunner beats Acme every time"): set(),  # acme's exclusion; names no other
             api.add_comment("Sorry, we are on it", post=down, author="acmehelp"): {"acme"}}  # its own reply
    api.add_post("nothing to do with anyone")  # not searched for; read from r/gadgets, it names no brand
    api.add_post("Bolt Energy bill", sub="cooking", age=timedelta(days=3))  # before the lookback
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, brands=BRANDS,
                             sources=[_reddit_source(api, monkeypatch, brands=["acme", "bolt", "crest"],
                                                     subreddits=["gadgets"])])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    connector = runtime.connector("reddit-all")
    assert connector.queries == ['(Acme OR "Acme Cloud" OR "Bolt Energy" OR Crest OR crestbank)']
    result = poll_source(runtime.engine, settings, connector, now=NOW)
    assert result.error is None, result
    assert _searches(api) == connector.queries  # one search for the three brands, not three
    assert "2 posts named none of this source's brands (or only with an exclusion); not stored" in result.problems
    with Session(runtime.engine) as session:
        stored = [(m.external_id, m.brand_id) for m in session.exec(select(Mention))]
    assert sorted(stored) == sorted((post, brand) for post, brands in posts.items() for brand in brands)
    assert result.new == len(stored) == 5  # four posts, one of them for two brands
    assert poll_source(runtime.engine, settings, connector, now=NOW).new == 0  # the same posts: nothing doubles


def test_two_hundred_brands_search_in_packed_queries_reddit_accepts(
        api: FakeReddit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    brands = [{"id": f"b{i:03d}", "name": f"Brandname{i:03d}", "names": [f"Brandname{i:03d}", f"Brand {i} Cloud"]}
              for i in range(200)]
    for i in (0, 77, 199):
        api.add_post(f"Brand {i} Cloud lost my files")
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, brands=brands,
                             sources=[_reddit_source(api, monkeypatch, brands=[b["id"] for b in brands])])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    connector = runtime.connector("reddit-all")
    result = poll_source(runtime.engine, settings, connector, now=NOW)
    assert result.error is None and result.problems == [], result
    searches = _searches(api)
    assert len(searches) == len(connector.queries) < 20  # 400 words in a few queries, not 200 searches
    assert all(len(q) <= 512 for q in searches)
    with Session(runtime.engine) as session:
        assert sorted(m.brand_id for m in session.exec(select(Mention))) == ["b000", "b077", "b199"]
    unpacked = " OR ".join(f'"Brand {i} Cloud"' for i in range(40))  # what packing avoids: Reddit refuses it
    with pytest.raises(prawcore.BadRequest):
        list(connector.reddit.subreddit("all").search(unpacked, limit=1))


def test_a_thousand_brands_pack_into_reddit_queries_under_512_characters() -> None:
    brands = [BrandTerms(id=f"b{i}", name=f"Brand {i}", names=(f"Brandname{i}", f"Brand {i} Cloud"),
                         exclude=("giveaway",)) for i in range(1000)]
    queries = build_queries(brands)
    assert all(len(q) <= 512 and q.endswith(" NOT giveaway") for q in queries)  # shared exclusion kept
    assert 60 < len(queries) < 80  # 2,000 words in 70 queries, against 1,000 for one source a brand
    packed = " ".join(queries)
    assert all(f"Brandname{i} " in packed or f"Brandname{i})" in packed for i in range(1000))
    assert "NOT" not in build_queries([*brands[:2], BrandTerms(id="c", name="Crest")])[0]  # not every brand's


def test_sources_counts_reddit_requests_per_minute_for_the_deployment(
        api: FakeReddit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    brands = [{"id": f"b{i:03d}", "name": f"Brandname{i:03d}", "names": [f"Brandname{i:03d}", f"Brand {i} Cloud"]}
              for i in range(150)]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    one_each = make_settings(database={"url": url}, brands=brands, sources=[
        _reddit_source(api, monkeypatch, id=f"reddit-{b['id']}", brand=b["id"]) for b in brands])
    shared = make_settings(database={"url": url}, brands=brands, sources=[
        _reddit_source(api, monkeypatch, brands=[b["id"] for b in brands], subreddits=["brand000"])])
    packed = len(Runtime(shared).connector("reddit-all").queries)
    lines = []
    for settings in (one_each, shared):
        out = io.StringIO()
        print_sources(settings, Console(file=out, width=300))
        lines.append(next(line for line in out.getvalue().splitlines() if "Reddit client" in line))
    # 150 sources, one search a minute each: 150 of the client id's 100 a minute
    assert re.search(r"│ 150 +│ 150 per 1 min +│ 100 per 1 min +│ 150% over", lines[0]), lines[0]
    # one source: the packed searches plus new posts and comments of one subreddit, every minute
    assert re.search(rf"│ 1 +│ {packed + 2} per 1 min +│ 100 per 1 min +│ {packed + 2}%", lines[1]), lines[1]
    assert "over" not in lines[1] and packed < 15
