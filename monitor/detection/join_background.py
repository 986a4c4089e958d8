"""Words too common in a brand's complaints to tie two of them together ("service", "customer", "waiting").

Why: two unrelated complaints that arrive together still share the brand's everyday complaint vocabulary;
only words that are uncommon in the brand's background say they are about the same thing. The background
is the brand's negative mentions of the week before yesterday (``GAP``: so a complaint spreading now never makes
its own words common), learned once an hour per brand and database and kept as a small set. A brand with
too little background (a new one, a benchmark) has no common words: every word counts, as before.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from monitor.storage.tables import Mention

COMMON_SHARE = 0.02  # a word in this share of the background's complaints or more is common
MIN_BACKGROUND = 100  # complaints needed before anything is called common
SAMPLE, DAYS, GAP = 2000, 8, timedelta(days=1)
_LEARNED: weakref.WeakKeyDictionary[Engine, dict[str, tuple[str, frozenset[str]]]] = weakref.WeakKeyDictionary()


def common_words(session: Session, brand_id: str, now: datetime, split: Callable[[str], set[str]]) -> frozenset[str]:
    """The brand's common complaint words at ``now`` (``split(text)``: a text's words, as joining reads them)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if not isinstance(engine, Engine):
        return frozenset()
    hour, learned = now.strftime("%Y%m%d%H"), _LEARNED.setdefault(engine, {})
    if brand_id not in learned or learned[brand_id][0] != hour:
        learned[brand_id] = (hour, _learn(session, brand_id, now, split))
    return learned[brand_id][1]


def _learn(session: Session, brand_id: str, now: datetime, split: Callable[[str], set[str]]) -> frozenset[str]:
    texts = session.exec(select(Mention.text).where(
        Mention.brand_id == brand_id, Mention.sentiment == "negative", Mention.is_brand_reply == False,  # noqa: E712
        Mention.posted_at > now - timedelta(days=DAYS), Mention.posted_at <= now - GAP)
        .order_by(col(Mention.posted_at).desc()).limit(SAMPLE)).all()
    if len(texts) < MIN_BACKGROUND:
        return frozenset()
    df: Counter[str] = Counter()
    for text in texts:
        df.update(split(text))
    return frozenset(w for w, n in df.items() if n >= COMMON_SHARE * len(texts))
