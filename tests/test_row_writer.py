"""The replay's direct row writer stores exactly what SQLAlchemy's insert stores (issue #12's speed-up)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlmodel import SQLModel

from monitor.replay.row_writer import RowWriter
from monitor.storage.engine import make_engine
from monitor.storage.tables import Mention

TABLE: Any = Mention.__table__  # type: ignore[attr-defined]
PLUS_ONE = timezone(timedelta(hours=1))


def _rows() -> list[dict[str, Any]]:
    """Rows as a replay builds them: shared timestamps and one signals dict shared by rows of one text, an
    equal instant written in another zone, a row with its own dict, no vector, no signals."""
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    shared = {"churn_threat": None, "category": {"value": "support", "confidence": 0.55}, "language": "en"}
    rows = []
    for i in range(6):
        rows.append({
            "id": i + 1, "brand_id": "b", "source_id": "s", "platform": "x", "external_id": f"m{i}", "url": "",
            "author_id": f"a{i % 2}", "author_handle": "h", "author_followers": None if i == 3 else i * 10,
            "text": "the app is down again", "lang": "en",
            "posted_at": now if i != 2 else now.astimezone(PLUS_ONE),  # equal instant, other wall clock
            "ingested_at": now, "reposts": 0, "likes": i, "replies": 0, "quotes": 0, "conversation_id": None,
            "parent_id": None, "quoted_id": None, "reposted_id": None, "local_id": None, "is_brand_reply": i == 5,
            "sentiment": "negative", "p_negative": 0.9, "p_neutral": 0.05, "p_positive": 0.05,
            "sentiment_model": "m@1", "scored_at": now + timedelta(minutes=i % 2),
            "signals": shared if i < 3 else ({**shared, "sentiment_reason": "r"} if i == 3 else None),
            "detected_at": None if i == 4 else now, "embedding": bytes([i]) * 384 if i != 1 else None,
        })
    return rows


def _stored(url: str) -> list[tuple[tuple[str, Any], ...]]:
    """Every column's stored value and type: SQLite's own (its text, not SQLAlchemy's reading of it)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            rows = db.execute("SELECT * FROM mentions ORDER BY id").fetchall()
        return [tuple((type(v).__name__, v) for v in row) for row in rows]
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(TABLE).order_by(TABLE.c.id)).all()
    engine.dispose()
    return [tuple((type(v).__name__, v) for v in row) for row in rows]


def _fresh(url: str) -> Any:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine, tables=[TABLE])
    return engine


def test_rows_written_directly_are_stored_as_sqlalchemys_insert_stores_them(database_url: str, tmp_path: Any) -> None:
    """Byte for byte (value and type of every column) on SQLite, and on PostgreSQL through the fallback."""
    reference_url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'ref.db'}"
    direct = _fresh(database_url)
    RowWriter(direct, TABLE).write(_rows())
    got = _stored(database_url)
    direct.dispose()
    if database_url.startswith("postgresql"):  # the same database: write the reference after clearing it
        with make_engine(database_url).begin() as connection:
            connection.execute(TABLE.delete())
    reference = _fresh(reference_url)
    with reference.begin() as connection:
        connection.execute(insert(TABLE), _rows())
    reference.dispose()
    assert got == _stored(reference_url)
    assert len(got) == 6 and got[2] != got[0]  # the row posted at an equal instant in another zone kept its text


def test_a_timestamp_memo_keeps_each_zones_wall_clock(tmp_path: Any) -> None:
    """Equal instants in two zones are equal (and hash alike) in Python; SQLite stores their wall clocks."""
    url = f"sqlite:///{tmp_path / 'zones.db'}"
    engine = _fresh(url)
    RowWriter(engine, TABLE).write(_rows())
    engine.dispose()
    posted = [row[11][1] for row in _stored(url)]
    assert posted[0] == "2026-03-02 10:00:00.000000" and posted[2] == "2026-03-02 11:00:00.000000"


def test_an_unknown_column_is_refused_not_silently_dropped(tmp_path: Any) -> None:
    engine = _fresh(f"sqlite:///{tmp_path / 'bad.db'}")
    row = {**_rows()[0], "no_such_column": 1}
    with pytest.raises(Exception, match="no_such_column"):
        RowWriter(engine, TABLE).write([row])
    engine.dispose()


def test_the_demo_replay_stores_every_mention_as_before_the_direct_writer(tmp_path: Any) -> None:
    """Pinned from the replay that inserted its rows through SQLAlchemy (main before this change): the same
    682 rows, every column's value and type, with and without reminders."""
    import hashlib
    import shutil

    from monitor.replay.backtest import backtest_settings, run_backtest
    from monitor.replay.demo_data import DEMO_FILE

    data = tmp_path / "data"
    data.mkdir()
    mentions = data / DEMO_FILE.name
    shutil.copy(DEMO_FILE, mentions)
    for reminders in (False, True):
        work = tmp_path / f"reminders-{reminders}"
        work.mkdir()
        settings = backtest_settings(work, mentions, "lexicon", "default", "adaptive", reminders=reminders)
        run_backtest(settings, work / "timeline.jsonl", input_file=mentions)
        stored = _stored(f"sqlite:///{work / 'backtest.db'}")
        assert len(stored) == 682
        assert hashlib.sha256(repr(stored).encode()).hexdigest()[:16] == "83c0a669cd42b075"
