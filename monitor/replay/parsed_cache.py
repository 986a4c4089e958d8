"""A replay file's rows as parsed, cached beside the input, so replaying the same file again does not parse it again.

Why: reading and cleaning every row (``connectors.replay``, ``connectors.sanitize``) was ~4 % of a cached
replay's CPU (``benchmarks/backtest_speed.py``), the same work each time. The cache is a JSON file (no
pickle: it sits beside a file anyone may hand us) named by a digest of the file's bytes, the source's options
and the parser's own code, so a changed file, option or parser never reads stale rows. Older caches of the
same file are removed when a new one is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import connectors.base
import connectors.replay
import connectors.replay_file
import connectors.sanitize
from connectors.base import Author, Engagement, Mention

log = logging.getLogger("groundswell.backtest")
Parsed = tuple[list[Mention], list[str]]  # the rows, and a line for each row that was skipped
_CODE = (connectors.base, connectors.replay, connectors.replay_file, connectors.sanitize)


def parsed(path: Path, options: dict[str, Any], cache_for: Path | None, parse: Callable[[], Parsed]) -> Parsed:
    """``parse()`` of the replay file at ``path``, or what it gave last time; ``cache_for``: the input file the
    cache goes beside (None: no cache)."""
    if cache_for is None:
        return parse()
    stem = f"{cache_for.name}.parsed-{path.stem}-"
    try:
        cached = cache_for.with_name(f"{stem}{_digest(path, options)}.json")
    except OSError:
        return parse()  # the connector says what is wrong with the file
    if cached.exists():
        try:
            return _load(cached)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            log.warning("parsed-rows cache %s unusable (%s): parsing the file again", cached, exc)
    return _save(cached, stem, parse())


def _digest(path: Path, options: dict[str, Any]) -> str:
    digest = hashlib.sha1(path.read_bytes())
    named = {**options, "path": path.name}  # where the file lies does not change its rows
    digest.update(json.dumps(named, sort_keys=True, default=str).encode())
    for module in _CODE:
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


def _save(cached: Path, stem: str, found: Parsed) -> Parsed:
    mentions, problems = found
    if any(m.raw is not None for m in mentions):
        return found  # not all of a row fits the cache's columns
    try:
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps({"mentions": [_row(m) for m in mentions], "problems": problems}), encoding="utf-8")
        tmp.replace(cached)
        for old in cached.parent.glob(f"{stem}*.json"):
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot save the parsed-rows cache %s: %s", cached, exc.strerror)
    return found


def _row(m: Mention) -> list[Any]:
    a, e = m.author, m.engagement
    return [m.platform, m.external_id, a.id, a.handle, a.name, a.followers, m.text, m.posted_at.isoformat(), m.url,
            m.lang, e.reposts, e.likes, e.replies, e.quotes, m.conversation_id, m.parent_id, m.quoted_id,
            m.reposted_id, m.is_brand_reply, m.local_id]


def _load(cached: Path) -> Parsed:
    """The cached rows; equal authors and engagement counts share one (frozen) object: most rows repeat one."""
    data = json.loads(cached.read_text(encoding="utf-8"))
    authors: dict[tuple[Any, ...], Author] = {}
    counts: dict[tuple[Any, ...], Engagement] = {}
    mentions = []
    for r in data["mentions"]:
        author = authors.get(key := (r[2], r[3], r[4], r[5])) or authors.setdefault(key, Author(*key))
        engagement = counts.get(key := (r[10], r[11], r[12], r[13])) or counts.setdefault(key, Engagement(*key))
        mentions.append(Mention(platform=r[0], external_id=r[1], author=author, text=r[6],
                                posted_at=datetime.fromisoformat(r[7]), url=r[8], lang=r[9], engagement=engagement,
                                conversation_id=r[14], parent_id=r[15], quoted_id=r[16], reposted_id=r[17],
                                is_brand_reply=r[18], local_id=r[19] if len(r) > 19 else None))
    return mentions, [str(p) for p in data["problems"]]
