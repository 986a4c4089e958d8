"""Words too common in a brand's complaints to tie two of them together ("service", "customer", "waiting").

Why: two unrelated complaints that arrive together still share the brand's everyday complaint vocabulary;
only words that are uncommon in the brand's background say they are about the same thing. The background
is the brand's negative mentions of the week before yesterday (``GAP``: so a complaint spreading now never makes
its own words common), learned once an hour per brand and database and kept as a small set. A brand with
too little background (a new one, a benchmark) has no common words: every word counts, as before.

Each hour's background is mostly the last hour's (up to 2,000 texts, ~1/24 new): the words of the texts
learned last time are kept (per brand, only those texts) and not split again, so relearning costs one query
and a count, and gives exactly what splitting every text again would (a backtest relearned it every simulated
hour with findings: 12 % of its replay).
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from monitor.storage.tables import Mention

COMMON_SHARE = 0.02  # a word in this share of the background's complaints or more is common
MIN_BACKGROUND = 100  # complaints needed before anything is called common
SAMPLE, DAYS, GAP = 2000, 8, timedelta(days=1)
_LEARNED: weakref.WeakKeyDictionary[Engine, dict[str, Learned]] = weakref.WeakKeyDictionary()


@dataclass
class Learned:
    """One brand's common words as of ``hour``, and the words of the texts they were learned from."""

    hour: str
    common: frozenset[str]
    split: object = None  # what split the texts (``words`` are valid for the same splitter only)
    words: dict[str, set[str]] = field(default_factory=dict)


def common_words(session: Session, brand_id: str, now: datetime, split: Callable[[str], set[str]]) -> frozenset[str]:
    """The brand's common complaint words at ``now`` (``split(text)``: a text's words, as joining reads them)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if not isinstance(engine, Engine):
        return frozenset()
    hour, learned = now.strftime("%Y%m%d%H"), _LEARNED.setdefault(engine, {})
    last = learned.get(brand_id)
    if last is None or last.hour != hour:
        learned[brand_id] = last = _learn(session, brand_id, now, split, last)
    return last.common


def splitter_key(split: Callable[[str], set[str]]) -> object:
    """What makes two splitters the same: a ``partial`` made anew per call is the same as its last one when
    its function and arguments are."""
    if isinstance(split, partial):
        return split.func, split.args, tuple(sorted(split.keywords.items()))
    return split


def _learn(session: Session, brand_id: str, now: datetime, split: Callable[[str], set[str]],
           last: Learned | None) -> Learned:
    window = {"brand": brand_id, "start": now - timedelta(days=DAYS), "end": now - GAP}
    texts = session.exec(_background(), params=window).all()
    key = splitter_key(split)
    known = last.words if last is not None and last.split == key else {}
    words = {text: known[text] if text in known else split(text) for text in texts}
    if len(texts) < MIN_BACKGROUND:
        return Learned(hour=now.strftime("%Y%m%d%H"), common=frozenset(), split=key, words=words)
    df: Counter[str] = Counter()
    for text in texts:
        df.update(words[text])
    common = frozenset(w for w, n in df.items() if n >= COMMON_SHARE * len(texts))
    return Learned(hour=now.strftime("%Y%m%d%H"), common=common, split=key, words=words)


@cache
def _background() -> Any:
    """The brand's latest negative complaints in the window (one statement, built once)."""
    return (select(Mention.text).where(
        Mention.brand_id == bindparam("brand"), Mention.sentiment == "negative",
        Mention.is_brand_reply == False,  # noqa: E712
        Mention.posted_at > bindparam("start"), Mention.posted_at <= bindparam("end"))
        .order_by(col(Mention.posted_at).desc()).limit(SAMPLE))
