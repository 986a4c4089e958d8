"""One bad row never stops a source: hostile values are clamped or refused at the connector boundary,
and every failure, in a connector or while storing, shows in the source's health (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select

from connectors.base import Batch, Connector, ConnectorContext, Cursor
from monitor.clock import ManualClock
from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.storage.tables import Author, Mention, SourceState
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)
INT_MAX = 2**31 - 1  # PostgreSQL integer
POSTED = (NOW - timedelta(hours=1)).isoformat()


def row(ident: str, **extra: object) -> str:
    return json.dumps({"id": ident, "text": f"Acme post {ident}", "posted_at": POSTED, "author_id": f"a-{ident}",
                       **extra}) + "\n"


def hostile_file(path: Path) -> Path:
    path.write_text("".join([
        row("good1"),
        row("followers", author_followers=1e30),
        row("likes", likes=12345678901234567890123, reposts=3_000_000_000, replies=-5, quotes="7"),
        row("big-int", author_followers=3_000_000_000),
        row("year1", posted_at="0001-01-01T00:00:00+01:00"),
        row("year9999", posted_at="9999-12-31T23:59:59-01:00"),
        "[" * 200_000 + "\n",
        row("nul\x00id", author_handle="ev\x00il", url="https://x.example/\x00p", author_id="a\x00b",
            text="te\x00xt"),
        row("x" * 20_000),
        row("notanumber", likes="lots"),
        row("good2"),
    ]))
    return path


def test_hostile_rows_are_clamped_or_skipped_and_the_rest_is_stored(database_url: str, tmp_path: Path) -> None:
    path = hostile_file(tmp_path / "hostile.jsonl")
    settings = make_settings(database={"url": database_url},
                             sources=[{"id": "file", "kind": "replay", "brand": "acme", "path": str(path)}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    result = poll_source(runtime.engine, settings, runtime.connector("file"), now=NOW)
    assert result.error is None
    reported = "\n".join(result.problems)
    assert len(result.problems) == 4, reported  # the two impossible dates, the brackets, the word for a number
    for line in (5, 6, 7, 10):
        assert f"hostile.jsonl line {line}: " in reported
    with Session(runtime.engine) as session:
        stored = {m.external_id: m for m in session.exec(select(Mention))}
        state = session.get(SourceState, "file")
        authors = {a.external_id: a for a in session.exec(select(Author))}
    digest = "sha256:" + hashlib.sha256(("x" * 20_000).encode()).hexdigest()
    assert set(stored) == {"good1", "good2", "followers", "likes", "big-int", "nulid", digest}
    assert stored["followers"].author_followers == INT_MAX == stored["big-int"].author_followers
    likes = stored["likes"]
    assert (likes.likes, likes.reposts, likes.replies, likes.quotes) == (INT_MAX, INT_MAX, 0, 7)
    nul = stored["nulid"]
    assert (nul.author_handle, nul.url, nul.author_id, nul.text) == ("evil", "https://x.example/p", "ab", "text")
    assert authors["ab"].handle == "evil"
    assert state is not None and state.status == "ok" and state.items_total == 7


def test_a_connector_that_raises_anything_is_counted_as_a_failure(database_url: str, tmp_path: Path) -> None:
    class Broken(Connector):
        kind = "broken"

        def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
            return {"unexpected": "shape"}["mentions"]  # type: ignore[no-any-return]  # a plugin's KeyError

    settings = make_settings(database={"url": database_url}, sources=[
        {"id": "plugin", "kind": "replay", "brand": "acme", "path": str(tmp_path / "x.jsonl")}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    broken = Broken(Connector.Options(), ConnectorContext("plugin", runtime.connector("plugin").context.brand))
    result = poll_source(runtime.engine, settings, broken, now=NOW)
    assert result.error == "fetch failed: KeyError: 'mentions'"
    with Session(runtime.engine) as session:
        state = session.get(SourceState, "plugin")
        assert state is not None and state.status == "failing" and state.consecutive_failures == 1
        assert state.last_error == result.error


def test_a_failure_while_storing_is_counted_and_the_cursor_stays(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(row("ok") + row("boom"))
    settings = make_settings(database={"url": database_url},
                             sources=[{"id": "file", "kind": "replay", "brand": "acme", "path": str(path)}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    poll_source(runtime.engine, settings, runtime.connector("file"), now=NOW)  # creates the tables and state
    path.write_text(row("ok") + row("boom") + row("boom2"))
    with runtime.engine.begin() as connection:  # the database refuses the next insert, as a broken one would
        if runtime.engine.dialect.name == "postgresql":
            connection.execute(text("create function refuse() returns trigger language plpgsql as "
                                    "$$ begin raise exception 'refused by the database'; end $$"))
            connection.execute(text("create trigger refuse before insert on mentions for each row "
                                    "execute function refuse()"))
        else:
            connection.execute(text("create trigger refuse before insert on mentions begin "
                                    "select raise(abort, 'refused by the database'); end"))
    with Session(runtime.engine) as session:
        before = session.get(SourceState, "file")
        assert before is not None
        cursor = before.cursor
    result = poll_source(runtime.engine, settings, runtime.connector("file"), now=NOW + timedelta(minutes=10))
    assert result.error is not None and result.error.startswith("storing failed: StorageError")
    assert "refused by the database" in result.error
    with Session(runtime.engine) as session:
        state = session.get(SourceState, "file")
        assert state is not None and state.status == "failing" and state.consecutive_failures == 1
        assert state.cursor == cursor  # boom2 is read again once the database accepts it
