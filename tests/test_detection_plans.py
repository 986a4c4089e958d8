"""Every mentions query a detection pass sends reads through an index, never the whole table (issue #17).

Real database with the migrations applied and planner statistics refreshed, real passes (warm-up, a quiet pass,
a pass with a few new mentions): the statements about mentions are recorded with a SQLAlchemy event and
EXPLAINed. Without statistics SQLite walked each brand's whole history for the few rows not examined yet (a
quiet pass over 1,000 brands took 4.4 s at 1 M stored mentions); a table scan here grows with every day kept.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from monitor.detection.warmup import forget_detectors
from monitor.detection.watchlist import reactions
from monitor.pipeline import run_detection, run_retention
from monitor.storage.engine import open_database, refresh_statistics
from monitor.storage.tables import Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BRANDS = 10


def _mention(i: int, posted: datetime, examined: bool, rng: random.Random) -> dict[str, Any]:
    negative = rng.random() < 0.2
    return {"brand_id": f"b{i % BRANDS}", "source_id": "s", "platform": "x", "external_id": str(i), "text": "acme down",
            "author_id": f"u{rng.randrange(5000)}", "posted_at": posted, "ingested_at": posted, "scored_at": posted,
            "sentiment": "negative" if negative else "neutral", "p_negative": 0.9 if negative else 0.1,
            "detected_at": posted if examined else None}


def test_detection_passes_read_mentions_through_indexes(database_url: str) -> None:
    forget_detectors()
    engine = open_database(database_url)
    rng = random.Random(11)
    old = [_mention(i, NOW - timedelta(seconds=rng.randrange(60 * 86400)), True, rng) for i in range(8_000)]
    with engine.begin() as connection:  # 60 days of 10 brands, all examined: a brand-day is ~0.2 % of the table
        connection.execute(Mention.__table__.insert(), old)  # type: ignore[attr-defined]
    refresh_statistics(engine)
    settings = make_settings(database={"url": database_url}, detection={"engine": "adaptive"},
                             brands=[{"id": f"b{b}", "name": f"B{b}"} for b in range(BRANDS)])
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and re.search(r"\bFROM mentions\b", statement):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    run_detection(engine, settings, now=NOW)  # warm-up: each brand's 28 days
    run_detection(engine, settings, now=NOW + timedelta(minutes=5))  # quiet: nothing new anywhere
    with engine.begin() as connection:
        connection.execute(Mention.__table__.insert(), [  # type: ignore[attr-defined]
            _mention(100_000 + i, NOW + timedelta(minutes=7), False, rng) for i in range(3)])
    run_detection(engine, settings, now=NOW + timedelta(minutes=10))  # a few brands with new mentions
    event.remove(engine, "before_cursor_execute", record)
    with engine.connect() as connection:
        examined = connection.exec_driver_sql("select count(*) from mentions where detected_at is null").scalar()
    assert examined == 0  # the passes really read and marked the new rows
    assert len({statement for statement, _ in sent}) >= 3  # warm-up history, busy brands, new rows
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        for statement, parameters in sent:
            plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + statement, parameters))
            # the rows not examined yet through the detected_at index (few, whatever the history); the rest by brand
            index = "ix_mentions_detected_at" if "detected_at IS NULL" in statement else "ix_mentions_brand_"
            assert index in plan, (statement, plan)
            assert not re.search(r"SCAN mentions\s*$", plan, re.M) and "Seq Scan on mentions" not in plan, plan


def test_a_watched_posts_reactions_are_counted_from_its_time_not_over_the_brands_history(database_url: str) -> None:
    """Every pass counts the reactions to each watched high-reach post: that count read the brand's whole
    history (60 days here) on every pass, then every row since the post; now only the posts that name it."""
    engine = open_database(database_url)
    rng = random.Random(3)
    rows = [_mention(i, NOW - timedelta(seconds=rng.randrange(60 * 86400)), True, rng) for i in range(8_000)]
    post = _mention(90_000, NOW - timedelta(hours=2), True, rng) | {"brand_id": "b1", "author_id": "big"}
    rows += [post] + [_mention(90_001 + k, NOW - timedelta(minutes=50 - k), True, rng)
                      | {"brand_id": "b1", "author_id": f"fan{k % 3}", "parent_id": "90000"} for k in range(5)]
    rows.append(_mention(90_010, NOW, True, rng) | {"brand_id": "b1", "author_id": "big", "parent_id": "90000"})
    rows += [_mention(100_000 + k, NOW - timedelta(seconds=k), True, rng) | {"brand_id": "b1"}
             for k in range(3_000)]  # a busy brand: the two hours since the post hold thousands of its mentions
    with engine.begin() as connection:  # every row names the same columns (an executemany takes the first's)
        connection.execute(Mention.__table__.insert(), [{"parent_id": None} | r for r in rows])  # type: ignore[attr-defined]
    refresh_statistics(engine)
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    with Session(engine) as session:
        mention = session.exec(select(Mention).where(Mention.external_id == "90000")).one()
        event.listen(engine, "before_cursor_execute", record)
        assert reactions(session, mention) == 5  # five replies by others; not the author's own
        event.remove(engine, "before_cursor_execute", record)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + sent[-1][0], sent[-1][1]))
    # the posts that name it, through the partial indexes on what they answer, quote or repost (0014); before, every
    # row of the brand since the post (hours of them, for every watched post, every pass)
    assert all(f"ix_mentions_{column}" in plan for column in ("parent_id", "quoted_id", "reposted_id")), plan


@pytest.mark.parametrize("statistics", ["none", "from the retention job"])
def test_a_new_databases_reaction_counts_use_their_indexes(database_url: str, statistics: str) -> None:
    """A service's database starts empty, so its start-up statistics said nothing; with none SQLite counted each
    watched post's reactions over every mention since it, every pass (the pass's CPU grew to ~1 s in 90 minutes of
    the soak's feed).  The count no longer offers the brand's index, and the hourly retention job refreshes the
    statistics for every other query."""
    engine = open_database(database_url)  # empty: nothing to learn at start
    rng = random.Random(5)
    rows = [_mention(k, NOW - timedelta(seconds=k), True, rng) | {"brand_id": "b1", "parent_id": None}
            for k in range(3_000)]
    rows += [_mention(5_000 + k, NOW, True, rng) | {"brand_id": "b1", "parent_id": "7"} for k in range(3)]
    with engine.begin() as connection:
        connection.execute(Mention.__table__.insert(), rows)  # type: ignore[attr-defined]
    if statistics != "none":
        run_retention(engine, make_settings(database={"url": database_url}), now=NOW)
    with Session(engine) as session:
        post = session.exec(select(Mention).where(Mention.external_id == "7")).one()
        sent: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", lambda *a: sent.append((a[2], a[3])))
        assert reactions(session, post) == 3
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + sent[-1][0], sent[-1][1]))
    assert "ix_mentions_parent_id" in plan, plan
