"""Words too common in a brand's complaints to tie two of them together ("service", "customer", "waiting").

Why: two unrelated complaints that arrive together still share the brand's everyday complaint vocabulary;
only words that are uncommon in the brand's background say they are about the same thing. The background
is the brand's negative mentions of the week before yesterday (``GAP``: so a complaint spreading now never makes
its own words common), learned once an hour per brand and database and kept as a small set. A brand with
too little background (a new one, a benchmark) has no common words: every word counts, as before.

Each hour's background is mostly the last hour's (up to 2,000 texts, ~1/24 new): the words of the texts
learned last time and their document frequencies are kept (per brand, only those texts), so relearning splits
and counts only the texts that came in or left, and gives exactly what learning from scratch gives (a backtest
relearned it every simulated hour with findings: 12 % of its replay).
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from monitor.storage.tables import Mention

COMMON_SHARE = 0.02  # a word in this share of the background's complaints or more is common
MIN_BACKGROUND = 100  # complaints needed before anything is called common
SAMPLE, DAYS, GAP = 2000, 8, timedelta(days=1)
_MENTIONS: Any = Mention.__table__  # type: ignore[attr-defined]
_LEARNED: weakref.WeakKeyDictionary[Engine, dict[str, Learned]] = weakref.WeakKeyDictionary()


@dataclass
class Learned:
    """One brand's common words as of ``hour``, the texts they were learned from (``texts``: how many times
    each), those texts' words and the document frequency of every word in them."""

    hour: str
    common: frozenset[str]
    split: object = None  # what split the texts (``words`` and ``df`` are valid for the same splitter only)
    texts: Counter[str] = field(default_factory=Counter)
    words: dict[str, set[str]] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)


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
    rows = session.connection().execute(_background(), window).scalars().all()  # Core: 2,000 plain strings
    key, texts = splitter_key(split), Counter(rows)
    if last is None or last.split != key:
        last = Learned(hour="", common=frozenset(), split=key)
    words = {text: last.words[text] if text in last.words else split(text) for text in texts}
    df = last.df.copy()
    change = texts.copy()
    change.subtract(last.texts)  # texts that came into the background (> 0) or left it (< 0)
    for text, n in change.items():
        for word in (words[text] if n > 0 else last.words[text]) if n else ():
            df[word] += n
            if not df[word]:
                del df[word]
    least = COMMON_SHARE * len(rows)
    common = frozenset(w for w, n in df.items() if n >= least) if len(rows) >= MIN_BACKGROUND else frozenset()
    return Learned(hour=now.strftime("%Y%m%d%H"), common=common, split=key, texts=texts, words=words, df=df)


@cache
def _background() -> Any:
    """The brand's latest negative complaints in the window (one statement, built once; run on the session's
    connection: the ORM's handling of 2,000 rows an hour cost three times the query)."""
    m = _MENTIONS.c
    return (select(m.text).where(
        m.brand_id == bindparam("brand"), m.sentiment == "negative", m.is_brand_reply == False,  # noqa: E712
        m.posted_at > bindparam("start"), m.posted_at <= bindparam("end"))
        .order_by(m.posted_at.desc()).limit(SAMPLE))
