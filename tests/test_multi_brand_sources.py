"""One source for many brands: OR-packed X queries through the real tweepy client and the fake X API,
mentions routed to brands locally, and the deployment's request budget in `groundswell sources`."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlmodel import Session, select

from connectors.x_queries import build_queries
from monitor.brands import BrandTerms
from monitor.cli.checks import print_sources
from monitor.clock import ManualClock
from monitor.errors import ConfigError
from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.storage.tables import Mention
from tests.fakes.settings_files import make_settings
from tests.fakes.x_api import FakeX

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BRANDS = [{"id": "acme", "name": "Acme", "names": ["Acme", "Acme Cloud"], "handles": ["@acmehelp"],
           "exclude": ["roadrunner"]},
          {"id": "bolt", "name": "Bolt Energy", "names": ["Bolt Energy"], "handles": ["@bolt"]},
          {"id": "crest", "name": "Crest", "terms": ["crestbank"]}]


@pytest.fixture
def api() -> Iterator[FakeX]:
    server = FakeX(clock=ManualClock(NOW)).start()
    yield server
    server.stop()


def _x_source(api: FakeX, **extra: Any) -> dict[str, Any]:
    return {"id": "x-all", "kind": "x", "bearer_token": {"env": "GS_TEST_X_TOKEN"}, "base_url": api.url,
            "interval_seconds": 300, **extra}


def test_one_query_serves_three_brands_and_each_post_goes_to_the_brands_it_names(
        api: FakeX, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GS_TEST_X_TOKEN", "test-bearer")
    down = api.add_tweet("Acme Cloud is down again")
    posts = {down: {"acme"},
             api.add_tweet("Bolt Energy and Acme both failed me today"): {"acme", "bolt"},
             api.add_tweet("@bolt my bill doubled"): {"bolt"},
             api.add_tweet("moved my savings to crestbank"): {"crest"},
             api.add_tweet("roadrunner beats Acme every time"): set(),  # acme's exclusion; names no other
             api.add_tweet("@acmehelp roadrunner cartoon is down, help"): {"acme"},  # addressed outright
             api.add_tweet("@carol we are on it", user="acmehelp", refs=[("replied_to", down)]): {"acme"}}
    api.add_tweet("nothing to do with anyone")  # not matched by the query at all
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, brands=BRANDS,
                             sources=[_x_source(api, brands=["acme", "bolt", "crest"])])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    connector = runtime.connector("x-all")
    assert len(connector.queries) == 2  # one search for the three brands' words, one for the brand replies
    result = poll_source(runtime.engine, settings, connector, now=NOW)
    assert result.error is None and result.fetched == 7, result
    assert result.problems == ["1 posts named none of this source's brands (or only with an exclusion); "
                               "not stored"]
    assert len(api.requests) == 2 and all(len(r.query["query"]) <= 512 for r in api.requests)
    with Session(runtime.engine) as session:
        stored = [(m.external_id, m.brand_id) for m in session.exec(select(Mention))]
    assert sorted(stored) == sorted((post, brand) for post, brands in posts.items() for brand in brands)
    assert result.new == len(stored) == 7  # six posts, one of them for two brands
    again = poll_source(runtime.engine, settings, connector, now=NOW)  # the same posts again: nothing doubles
    assert again.new == 0


def test_single_brand_sources_keep_every_post_they_fetch(api: FakeX, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GS_TEST_X_TOKEN", "test-bearer")
    api.add_tweet("Acme Cloud is down again")
    api.add_tweet("ACME!!! why")  # the search matched it: a single-brand source stores it as before
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, brands=BRANDS[:1],
                             sources=[_x_source(api, brand="acme")])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    result = poll_source(runtime.engine, settings, runtime.connector("x-all"), now=NOW)
    assert (result.new, result.problems) == (2, [])


def test_a_thousand_brands_pack_into_queries_under_512_characters() -> None:
    brands = [BrandTerms(id=f"b{i}", name=f"Brand {i}", names=(f"Brandname{i}", f"Brand {i} Cloud"),
                         handles=(f"brand{i}help",)) for i in range(1000)]
    queries = build_queries(brands, [], include_retweets=False)
    assert all(len(q) <= 512 for q in queries)
    assert 100 < len(queries) < 120  # 3,000 words in 109 queries, against 1,000 for one source a brand
    packed = " ".join(queries)
    assert all(f"Brandname{i} " in packed or f"Brandname{i})" in packed for i in range(1000))


def test_sources_shows_the_deployment_request_budget(api: FakeX, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GS_TEST_X_TOKEN", "test-bearer")
    brands = [{"id": f"b{i:03d}", "name": f"Brand{i:03d}", "handles": [f"@brand{i:03d}"]} for i in range(120)]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    one_each = make_settings(database={"url": url}, brands=brands,
                             sources=[_x_source(api, id=f"x-{b['id']}", brand=b["id"]) for b in brands])
    monkeypatch.setenv("GS_TEST_REDDIT_ID", "client-1")
    reddit = {"id": "reddit-b000", "kind": "reddit", "brand": "b000", "client_id": {"env": "GS_TEST_REDDIT_ID"},
              "client_secret": {"env": "GS_TEST_REDDIT_ID"}, "user_agent": "linux:groundswell:test (by u/t)",
              "subreddits": ["brand000"], "interval_seconds": 60}
    shared = make_settings(database={"url": url}, brands=brands,
                           sources=[_x_source(api, brands=[b["id"] for b in brands]), reddit])
    lines = []
    for settings in (one_each, shared):
        out = io.StringIO()
        print_sources(settings, Console(file=out, width=300))
        lines.append(next(line for line in out.getvalue().splitlines() if "X app" in line))
    # Reddit: one search + new posts + new comments of one subreddit, every minute: 3 of 100 a minute
    assert re.search(r"Reddit client \w+ +│ 1 +│ 3 per 1 min +│ 100 per 1 min +│ 3%", out.getvalue()), out.getvalue()
    # 120 sources x 2 queries x 3 polls per 15 min = 720 of 450; one shared source: 6 + 6 packed queries x 3
    assert "120" in lines[0] and "720 per 15 min" in lines[0] and "160%" in lines[0] and "over" in lines[0]
    assert "36 per 15 min" in lines[1] and "8%" in lines[1] and "over" not in lines[1]


def test_a_source_names_its_brand_or_brands(tmp_path: Path) -> None:
    from monitor.settings import load_settings

    path = tmp_path / "settings.toml"
    brand = '[[brands]]\nid = "acme"\nname = "Acme"\n'
    path.write_text(brand + '[[sources]]\nid = "s"\nkind = "replay"\npath = "x.jsonl"\n')
    with pytest.raises(ConfigError, match="give the brand it serves") as missing:
        load_settings(path)
    assert missing.value.key.startswith("sources[0] (s)")
    path.write_text(brand + '[[sources]]\nid = "s"\nkind = "replay"\npath = "x.jsonl"\nbrands = ["acme", "nope"]\n')
    with pytest.raises(ConfigError, match="no brand with id 'nope'") as unknown:
        load_settings(path)
    assert unknown.value.key == "sources[0] (s).brands"
