"""A replay file parsed once: the rows come back from the cache beside the input as the parser gave them (issue #12).

The real replay connector parses a real file; the cache must give equal rows and the same skipped-row lines,
and a changed file must be parsed again (its old cache removed).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from connectors.base import BrandTerms, ConnectorContext
from connectors.replay import ReplayConnector, ReplayOptions
from monitor.clock import ManualClock
from monitor.replay.parsed_cache import Parsed, parsed

ROWS = [
    {"id": "1", "text": "router down again", "posted_at": "2026-11-01T10:00:00Z", "author_id": "a",
     "author_followers": 120, "reposts": 3, "lang": "en"},
    {"id": "2", "text": "quoting it", "posted_at": "2026-11-01T10:01:30.250+01:00", "author_handle": "bee",
     "quoted_id": "1", "conversation_id": "c1", "is_brand_reply": "true"},
    {"id": "3", "text": "bad date", "posted_at": "yesterday"},
    {"id": "4", "text": "no followers", "posted_at": 1793527200, "author_id": "c", "parent_id": "2", "url": "u"},
]


def test_the_second_read_comes_from_the_cache_and_equals_the_parse(tmp_path: Path) -> None:
    path = tmp_path / "mentions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    options = {"path": str(path), "platform": "replay"}
    calls: list[int] = []

    def parse() -> Parsed:
        calls.append(1)
        context = ConnectorContext("file", BrandTerms(id="acme", name="Acme"), ManualClock(datetime(9999, 1, 1,
                                                                                                    tzinfo=UTC)))
        batch = ReplayConnector(ReplayOptions.model_validate(options), context).fetch(None, limit=10**9)
        return batch.mentions, batch.problems

    first = parsed(path, options, path, parse)
    again = parsed(path, options, path, parse)
    assert len(calls) == 1 and len(list(tmp_path.glob("mentions.jsonl.parsed-*.json"))) == 1
    assert again == first and len(first[0]) == 3 and first[1][0].startswith("mentions.jsonl line 3")
    assert [m.posted_at for m in again[0]] == [m.posted_at for m in first[0]]
    assert again[0][1].posted_at.utcoffset() is not None and again[0][1].is_brand_reply

    with path.open("a", encoding="utf-8") as handle:  # the file changed: parsed again, the old cache goes
        handle.write(json.dumps({"id": "5", "text": "more", "posted_at": "2026-11-01T11:00:00Z"}) + "\n")
    changed = parsed(path, options, path, parse)
    assert len(calls) == 2 and len(changed[0]) == 4
    assert len(list(tmp_path.glob("mentions.jsonl.parsed-*.json"))) == 1
    assert parsed(path, options, None, parse) == changed and len(calls) == 3  # no input file: no cache
