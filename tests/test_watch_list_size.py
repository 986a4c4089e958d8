"""A detection pass reviews the watch list with a fixed number of statements, however long it is (issue #17).

Every pass asks whether each watched high-reach post's audience is reacting. One count per post made a pass's
cost grow with the watch list: the soak's feed watches ~180 posts at once, and its CPU per simulated quarter hour
grew 6.8 -> 16.5 CPU-s over 90 minutes. Real database, real passes; statements recorded with a SQLAlchemy event.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from monitor.detection.warmup import forget_detectors
from monitor.detection.watchlist import reactions, reactions_of
from monitor.pipeline import run_detection
from monitor.storage import incident_due
from monitor.storage.engine import open_database, refresh_statistics
from monitor.storage.tables import Incident, Mention
from tests.fakes.settings_files import make_settings
from tests.test_detection_plans import _mention

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BRAND = "b1"


def _post(n: int, posted: datetime, **extra: Any) -> dict[str, Any]:
    row = {"brand_id": BRAND, "source_id": "s", "platform": "x", "external_id": str(n), "text": "acme down",
           "author_id": f"u{n}", "posted_at": posted, "ingested_at": posted, "scored_at": posted,
           "sentiment": "negative", "p_negative": 0.9, "detected_at": posted, "author_followers": 900_000,
           "parent_id": None, "quoted_id": None, "reposted_id": None, "local_id": None, "reposts": 0}
    return row | extra


def _watch(engine: Engine, first: int, count: int, fans: dict[int, int]) -> None:
    """``count`` watched high-reach posts from ``first`` on, each with ``fans[k]`` replies by other people."""
    posts = [_post(first + k, NOW - timedelta(minutes=30)) for k in range(count)]
    replies = [_post(10_000 * (first + k) + f, NOW - timedelta(minutes=20), parent_id=str(first + k))
               for k in range(count) for f in range(fans.get(k, 0))]
    with engine.begin() as connection:
        connection.execute(Mention.__table__.insert(), posts + replies)  # type: ignore[attr-defined]
    with Session(engine) as session:
        ids = {m.external_id: m.id for m in session.exec(select(Mention).where(Mention.author_followers > 0))}
        for k in range(count):
            session.add(Incident(brand_id=BRAND, key=f"high_reach:{first + k}", trigger="high_reach", status="watch",
                                 title="big", reason="big account", opened_at=NOW - timedelta(minutes=30),
                                 updated_at=NOW, last_activity_at=NOW, example_mention_ids=[ids[str(first + k)]]))
        session.commit()


def _all_due(engine: Engine, now: datetime) -> None:
    with Session(engine) as session:
        incident_due.mark_all(session, [BRAND], now)
        session.commit()


def _pass(engine: Engine, settings: Any, now: datetime) -> tuple[list[tuple[str, Any]], int]:
    """The pass's SELECT statements (with their parameters) and how many incidents it opened."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    opened = run_detection(engine, settings, now=now).opened
    event.remove(engine, "before_cursor_execute", record)
    return [(s, p) for s, p in sent if s.lstrip().upper().startswith("SELECT")], opened


def test_a_pass_reviews_any_number_of_watched_posts_with_the_same_statements(database_url: str) -> None:
    forget_detectors()
    engine = open_database(database_url)
    settings = make_settings(database={"url": database_url}, brands=[{"id": BRAND, "name": "B1"}])
    rng = random.Random(5)
    history = [_mention(900_000 + i, NOW - timedelta(seconds=rng.randrange(7 * 86400)), True, rng)
               | {"brand_id": BRAND, "parent_id": None} for i in range(5_000)]  # a week of the brand's mentions
    with engine.begin() as connection:
        connection.execute(Mention.__table__.insert(), history)  # type: ignore[attr-defined]
    _watch(engine, 1, 4, {0: 3})
    refresh_statistics(engine)
    run_detection(engine, settings, now=NOW)  # warm-up
    _all_due(engine, NOW)  # each pass reviews the whole watch list (as every pass did before next_check_at)
    few, opened_few = _pass(engine, settings, NOW + timedelta(minutes=1))
    _watch(engine, 100, 100, {k: k % 5 for k in range(100)})  # 104 watched, none with 20 reactions yet
    _all_due(engine, NOW)
    many, opened_many = _pass(engine, settings, NOW + timedelta(minutes=2))
    assert (opened_few, opened_many) == (0, 0)
    counts = [(s, p) for s, p in many if re.search(r"\bparent_id IN\b", s)]
    assert len(counts) == 2, counts  # 64 posts a statement; before, one count per watched post
    assert len(many) - len(few) <= 1, (len(few), len(many))  # before: 100 more statements
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:  # each piece through the partial indexes, not a week of the brand
        for statement, parameters in counts:
            plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + statement, parameters))
            assert all(f"ix_mentions_{c}" in plan for c in ("parent_id", "quoted_id", "reposted_id")), plan


def test_a_watched_post_pages_once_twenty_others_react_whatever_else_is_watched(database_url: str) -> None:
    forget_detectors()
    engine = open_database(database_url)
    settings = make_settings(database={"url": database_url}, brands=[{"id": BRAND, "name": "B1"}])
    _watch(engine, 1, 70, {k: 19 + (k in (3, 66)) for k in range(70)})  # posts 4 and 67 reach 20, in both pieces
    assert _pass(engine, settings, NOW)[1] == 2
    with Session(engine) as session:
        paged = session.exec(select(Incident.key).where(Incident.status == "open")).all()
    assert sorted(paged) == ["high_reach:4", "high_reach:67"]


def test_reactions_are_counted_per_post_as_one_count_each_did(database_url: str) -> None:
    """Other people's replies, quotes and reposts naming the post's id or local id, posted after it (an hour's
    slack); a row naming two posts counts for both; the author's own and another platform's do not."""
    engine = open_database(database_url)
    rows = [_post(1, NOW), _post(2, NOW, local_id="inst/2"), _post(3, NOW, reposts=7)]
    rows += [_post(11, NOW - timedelta(minutes=59), parent_id="1"), _post(12, NOW, quoted_id="1", parent_id="2"),
             _post(13, NOW, reposted_id="inst/2"), _post(14, NOW, parent_id="1", author_id="u1"),
             _post(15, NOW - timedelta(minutes=61), parent_id="1"), _post(16, NOW, parent_id="1", platform="mastodon"),
             _post(17, NOW, parent_id="3"), _post(18, NOW, parent_id="1", brand_id="b2")]
    with engine.begin() as connection:
        connection.execute(Mention.__table__.insert(), rows)  # type: ignore[attr-defined]
    with Session(engine) as session:
        posts = list(session.exec(select(Mention).where(Mention.external_id.in_(["1", "2", "3"]))))  # type: ignore[attr-defined]
        by_id = {m.external_id: m.id for m in posts}
        counts = reactions_of(session, posts)
        assert {e: counts[i or 0] for e, i in by_id.items()} == {"1": 2, "2": 2, "3": 7}
        assert [reactions(session, m) for m in sorted(posts, key=lambda m: m.external_id)] == [2, 2, 7]
