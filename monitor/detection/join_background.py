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

A database whose mentions are only ever inserted (a backtest's: ``insert_only``) is not read again in full each
hour: the texts kept from last time (with their times and ids) are merged with the ones that came into the window
(posted since its last end, or stored since its last read), and the latest ``SAMPLE`` of them are what the full
query returns (in its order: newest first, ties by id, newest first, as SQLite walks its index back); reading
2,000 texts an hour was 7 % of a cached replay. Anywhere else (rows can be scored, deleted or edited later) the
full query runs every hour.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

from sqlalchemy import String, bindparam, func, literal_column, select, union_all
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from monitor.clock import as_utc
from monitor.storage.tables import Mention

COMMON_SHARE = 0.02  # a word in this share of the background's complaints or more is common
MIN_BACKGROUND = 100  # complaints needed before anything is called common
SAMPLE, DAYS, GAP = 2000, 8, timedelta(days=1)
_MENTIONS: Any = Mention.__table__  # type: ignore[attr-defined]
_LEARNED: weakref.WeakKeyDictionary[Engine, dict[str, Learned]] = weakref.WeakKeyDictionary()
_INSERT_ONLY: weakref.WeakSet[Engine] = weakref.WeakSet()
Row = tuple[datetime, int, str]  # (posted_at in UTC, id, text) of a background complaint


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
    rows: list[Row] | None = None  # an insert-only database's background, newest first (``insert_only``)
    window: tuple[datetime, datetime, int] | None = None  # (start, end, the highest mention id) it was read at


def insert_only(engine: Engine) -> None:
    """Declare that ``engine``'s mentions are only ever inserted, never changed or deleted afterwards in what the
    background reads (brand, sentiment, reply flag, time, text): each hour then reads only what is new to it.
    SQLite only (a replay's database): it returns ties in time by id, as kept here; PostgreSQL in no set order."""
    if engine.dialect.name == "sqlite":
        _INSERT_ONLY.add(engine)


def common_words(session: Session, brand_id: str, now: datetime, split: Callable[[str], set[str]]) -> frozenset[str]:
    """The brand's common complaint words at ``now`` (``split(text)``: a text's words, as joining reads them)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if not isinstance(engine, Engine):
        return frozenset()
    hour, learned = now.strftime("%Y%m%d%H"), _LEARNED.setdefault(engine, {})
    last = learned.get(brand_id)
    if last is None or last.hour != hour:
        learned[brand_id] = last = _learn(session, brand_id, now, split, last, engine in _INSERT_ONLY)
    return last.common


def splitter_key(split: Callable[[str], set[str]]) -> object:
    """What makes two splitters the same: a ``partial`` made anew per call is the same as its last one when
    its function and arguments are."""
    if isinstance(split, partial):
        return split.func, split.args, tuple(sorted(split.keywords.items()))
    return split


def _learn(session: Session, brand_id: str, now: datetime, split: Callable[[str], set[str]],
           last: Learned | None, insert_only: bool = False) -> Learned:
    window = {"brand": brand_id, "start": now - timedelta(days=DAYS), "end": now - GAP}
    key, kept = splitter_key(split), None
    if last is None or last.split != key:
        last = Learned(hour="", common=frozenset(), split=key)
    if insert_only:
        kept = _background_rows(session, window, last)
        if kept.moved is not None:  # only what came in or left is counted (last's rows are kept)
            texts, words, df = _moved(last, *kept.moved, split)
            return _learned(now, key, texts, words, df, kept)
        rows: Sequence[str] = [text for _, _, text in kept.rows]
    else:
        rows = session.connection().execute(_background(), window).scalars().all()  # Core: 2,000 plain strings
    texts = Counter(rows)
    words = {text: last.words[text] if text in last.words else split(text) for text in texts}
    df = last.df.copy()
    change = texts.copy()
    change.subtract(last.texts)  # texts that came into the background (> 0) or left it (< 0)
    for text, n in change.items():
        for word in (words[text] if n > 0 else last.words[text]) if n else ():
            df[word] += n
            if not df[word]:
                del df[word]
    return _learned(now, key, texts, words, df, kept)


def _learned(now: datetime, key: object, texts: Counter[str], words: dict[str, set[str]], df: Counter[str],
             kept: Kept | None) -> Learned:
    total = sum(texts.values())
    least = COMMON_SHARE * total
    common = frozenset(w for w, n in df.items() if n >= least) if total >= MIN_BACKGROUND else frozenset()
    return Learned(hour=now.strftime("%Y%m%d%H"), common=common, split=key, texts=texts, words=words, df=df,
                   rows=kept.rows if kept else None, window=kept.window if kept else None)


def _moved(last: Learned, entered: list[str], left: list[str],
           split: Callable[[str], set[str]]) -> tuple[Counter[str], dict[str, set[str]], Counter[str]]:
    """Last hour's texts, words and document frequencies, moved on by the texts that came in and left (in place:
    the caller replaces ``last``, and copying them cost more than the move)."""
    texts, words, df = last.texts, last.words, last.df
    for text in entered:
        if text not in words:
            words[text] = split(text)
        texts[text] += 1
        df.update(words[text])
    for text in left:
        texts[text] -= 1
        for word in words[text]:
            df[word] -= 1
            if not df[word]:
                del df[word]
        if not texts[text]:
            del texts[text], words[text]
    return texts, words, df


@dataclass
class Kept:
    """An insert-only database's background rows, newest first; the window they were read at (start, end, the
    highest mention id); ``moved``: the texts that came in and left since the last read (None: a full read)."""

    rows: list[Row]
    window: tuple[datetime, datetime, int]
    moved: tuple[list[str], list[str]] | None = None


def _background_rows(session: Session, window: dict[str, Any], last: Learned) -> Kept:
    """What ``_background`` returns now, with times and ids, from the rows kept last time and the ones new to the
    window since (an insert-only database: nothing else can have changed); the whole window when nothing is
    kept, or the window moved back."""
    connection = session.connection()
    start, end = as_utc(window["start"]), as_utc(window["end"])
    top = connection.execute(_highest_id()).scalar() or 0
    before = last.window if last.rows is not None else None
    if last.rows is None or before is None or start < before[0] or end < before[1]:
        fresh = connection.execute(_background_with_ids(), window).all()
        return Kept([(as_utc(t), i, text) for t, i, text in fresh][:SAMPLE], (start, end, top))
    since = {**window, "after": before[1], "above": before[2], "low": max(before[1], start)}  # one lower bound
    came = [(as_utc(t), i, text) for t, i, text in connection.execute(_new_to_window(), since).all()]
    inside = bisect_left(last.rows, True, key=lambda r: r[0] <= start)  # newest first: the rest left the window
    rows = last.rows[:inside] + came
    rows.sort(reverse=True)  # newest first, ties by id (ids are unique: texts are never compared)
    cut, new = rows[SAMPLE:], {r[1] for r in came}
    dropped = {r[1] for r in cut}
    moved = ([r[2] for r in came if r[1] not in dropped],
             [r[2] for r in last.rows[inside:]] + [r[2] for r in cut if r[1] not in new])
    return Kept(rows[:SAMPLE], (start, end, top), moved)


def _complaints() -> Any:
    m = _MENTIONS.c
    return (m.brand_id == bindparam("brand"), m.sentiment == "negative", m.is_brand_reply == False,  # noqa: E712
            m.posted_at > bindparam("start"), m.posted_at <= bindparam("end"))


@cache
def _background_with_ids() -> Any:
    """``_background`` with each text's time and id (an insert-only database keeps them for the next hour)."""
    m = _MENTIONS.c
    return select(m.posted_at, m.id, m.text).where(*_complaints()).order_by(m.posted_at.desc(), m.id.desc()) \
        .limit(SAMPLE)


@cache
def _new_to_window() -> Any:
    """The window's complaints posted after ``after`` (its last end; ``low``: the later of it and the window's
    start, one bound for the index) or stored after id ``above`` (late ones: found by id, "+" keeps SQLite off the
    time indexes, whose walk over the whole window cost more than reading it)."""
    m, when = _MENTIONS.c, _MENTIONS.c.posted_at.type
    posted = select(m.posted_at, m.id, m.text).where(*_complaints()[:3], m.posted_at > bindparam("low"),
                                                      m.posted_at <= bindparam("end"))
    stored = select(m.posted_at, m.id, m.text).where(
        literal_column("+mentions.brand_id") == bindparam("brand", type_=String()), m.sentiment == "negative",
        m.is_brand_reply == False, m.id > bindparam("above"),  # noqa: E712
        literal_column("+mentions.posted_at") > bindparam("start", type_=when),
        literal_column("+mentions.posted_at") <= bindparam("after", type_=when))
    return union_all(posted, stored)


@cache
def _highest_id() -> Any:
    return select(func.max(_MENTIONS.c.id))


@cache
def _background() -> Any:
    """The brand's latest negative complaints in the window (one statement, built once; run on the session's
    connection: the ORM's handling of 2,000 rows an hour cost three times the query)."""
    m = _MENTIONS.c
    return select(m.text).where(*_complaints()).order_by(m.posted_at.desc()).limit(SAMPLE)
