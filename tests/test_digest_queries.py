"""The digest aggregated in SQL gives the figures of the row-by-row digest, and its hot queries use the index."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from alerts.digest import build_digest, day_bounds
from monitor.clock import as_utc
from monitor.storage.engine import open_database, refresh_statistics
from monitor.storage.responses import first_reply
from monitor.storage.tables import Mention
from tests.fakes.settings_files import make_settings

DAY = date(2026, 11, 7)
CATEGORIES = ["outage", "billing", "support", "speed"]


def _mentions(rng: random.Random, brand: str, start: datetime, n: int) -> list[Mention]:
    out = []
    for i in range(n):
        posted = start + timedelta(seconds=rng.randint(0, 9 * 86400))
        negative = rng.random() < 0.4
        signals: dict[str, Any] = {"category": {"value": rng.choice(CATEGORIES)}} if rng.random() < 0.7 else {}
        if rng.random() < 0.1:
            signals["churn_threat"] = True
        if rng.random() < 0.2:
            signals["aimed_at_brand"] = False
        out.append(Mention(brand_id=brand, source_id="s", platform=rng.choice(["x", "reddit"]),
                           external_id=f"{brand}-{i}", author_handle=f"u{rng.randint(0, 40)}",
                           author_followers=rng.randint(0, 10**5), text="Acme", posted_at=posted,
                           ingested_at=posted, sentiment="negative" if negative else "neutral",
                           conversation_id=f"c{i}" if rng.random() < 0.5 else None, signals=signals))
    return out


def _replies(rng: random.Random, mentions: list[Mention]) -> list[Mention]:
    out = []
    for i, m in enumerate(rng.sample(mentions, len(mentions) // 6)):
        later = m.posted_at + timedelta(minutes=rng.randint(-30, 600))  # some before: never an answer
        by_conversation = m.conversation_id is not None and rng.random() < 0.5
        out.append(Mention(brand_id=m.brand_id, source_id="s", platform=m.platform, external_id=f"r{m.brand_id}{i}",
                           author_handle="acme", text="Sorry", posted_at=later, ingested_at=later,
                           is_brand_reply=True, sentiment="neutral",
                           parent_id=None if by_conversation else m.external_id,
                           conversation_id=m.conversation_id if by_conversation else None))
    return out


def _seed(url: str) -> Any:
    engine = open_database(url)
    rng = random.Random(7)
    start = datetime(2026, 10, 30, tzinfo=UTC)
    rows = _mentions(rng, "acme", start, 1500) + _mentions(rng, "other", start, 300)
    rows += _replies(rng, rows)
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
    return engine


def _reference(engine: Any, brand_id: str, timezone: str) -> dict[str, Any]:
    """The figures as the digest computed them before: every row of the window, one reply query per complaint."""
    start, end = day_bounds(DAY, timezone)
    week_start = start - timedelta(days=7)
    with Session(engine) as session:
        rows = session.exec(select(Mention).where(Mention.brand_id == brand_id, Mention.is_brand_reply == False,  # noqa: E712
                                                  Mention.posted_at >= week_start, Mention.posted_at < end)).all()
        today = [m for m in rows if as_utc(m.posted_at) >= start]
        week = [m for m in rows if as_utc(m.posted_at) < start]
        negatives = [m for m in today if m.sentiment == "negative"]
        aimed = [m for m in negatives if (m.signals or {}).get("aimed_at_brand", True)]
        answered = sum(first_reply(session, m) is not None for m in aimed)

    def hour(m: Mention) -> int:
        return int((as_utc(m.posted_at) - start).total_seconds() // 3600) % 24

    week_hours = Counter(map(hour, week))
    return {"total": len(today), "negative": len(negatives), "week_total": len(week),
            "hourly": [(sum(hour(m) == h for m in today), sum(hour(m) == h for m in negatives),
                        round(week_hours[h] / 7)) for h in range(24)],
            "categories": Counter(((m.signals or {}).get("category") or {}).get("value") for m in negatives),
            "answered": (len(aimed), answered)}


def test_digest_figures_match_the_row_by_row_computation(database_url: str) -> None:
    engine = _seed(database_url)
    for timezone in ("UTC", "Asia/Kolkata", "America/New_York"):  # half-hour offsets: local hours stay aligned
        settings = make_settings(brands=[{"id": "acme", "name": "Acme", "timezone": timezone}])
        digest = build_digest(engine, settings, settings.brands[0], DAY)
        want = _reference(engine, "acme", timezone)
        assert (digest.total, digest.negative, digest.week_total) == (want["total"], want["negative"],
                                                                      want["week_total"])
        assert digest.hourly == want["hourly"]
        assert {name: n for name, n, _ in digest.categories} == {
            name: n for name, n in want["categories"].most_common(6) if name}
        assert digest.responses is not None and digest.responses[:2] == want["answered"]
        assert want["answered"][1] >= 5  # the seeded replies really answer some complaints
        assert len(digest.negatives) == want["negative"] and all(m.brand_id == "acme" for m in digest.negatives)


def test_hot_digest_queries_use_the_brand_time_index(database_url: str) -> None:
    """EXPLAIN every mentions query the digest really sends, after ANALYZE: an index range, never a table scan."""
    engine = open_database(database_url)
    rng, origin = random.Random(3), datetime(2026, 9, 10, tzinfo=UTC)
    rows = [{"brand_id": f"b{i % 25}", "source_id": "s", "platform": "x", "external_id": str(i), "text": "t",
             "posted_at": (when := origin + timedelta(seconds=rng.randint(0, 60 * 86400))), "ingested_at": when,
             "sentiment": rng.choice(["negative", "neutral"]), "is_brand_reply": i % 7 == 0,
             "author_handle": f"u{i % 300}", "parent_id": str(i - 3) if i % 7 == 0 else None}
            for i in range(20_000)]  # 25 brands over 60 days: a brand-week is ~0.5% of the table
    with engine.begin() as connection:
        connection.execute(Mention.__table__.insert(), rows)  # type: ignore[attr-defined]
    refresh_statistics(engine)
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "FROM mentions" in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    settings = make_settings(brands=[{"id": "b3", "name": "B3"}])
    build_digest(engine, settings, settings.brands[0], date(2026, 10, 20))
    event.remove(engine, "before_cursor_execute", record)
    assert len(sent) >= 5  # hours, categories, repeaters, negatives, replies-collected, first replies
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        for statement, parameters in sent:
            plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + statement, parameters))
            # a (brand, time) range: brand_posted[_sentiment], or brand_reply_posted where the query names the flag
            assert re.search(r"ix_mentions_brand_(reply_)?posted", plan), plan
            assert not re.search(r"^SCAN mentions\w*$", plan, re.M) and "Seq Scan" not in plan, plan
