"""Writing fetched mentions: insert-or-ignore, so fetching the same post twice is a no-op."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from connectors.base import Mention
from monitor.storage import incident_due
from monitor.storage.tables import Author as AuthorRow
from monitor.storage.tables import Mention as MentionRow

STORE_CHUNK = 1000  # rows per transaction: a 200,000-row poll must not hold SQLite's one writer for minutes
# The largest multi-row INSERT sent at once (a power of two).  Every distinct row count is its own SQL text, which
# SQLite prepares and keeps in each connection's statement cache (128 statements, ~2.8 kB a row for mentions): with
# batches of any size the soak's SQLite memory kept growing (6.4 MB for one 720-row catch-up and 40 small sizes in
# one connection).  Power-of-two pieces of at most 64 rows: at most 7 statements a table, ~0.35 MB in all.
INSERT_PIECE = 64
_MENTIONS: Any = MentionRow.__table__  # type: ignore[attr-defined]
_AUTHORS: Any = AuthorRow.__table__  # type: ignore[attr-defined]


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def mention_row(mention: Mention, *, brand_id: str, source_id: str, now: datetime) -> dict[str, Any]:
    return {
        "brand_id": brand_id, "source_id": source_id, "platform": mention.platform,
        "external_id": mention.external_id, "url": mention.url, "author_id": mention.author.id,
        "author_handle": mention.author.handle, "author_followers": mention.author.followers,
        "text": mention.text.replace("\x00", ""), "lang": mention.lang, "posted_at": mention.posted_at,
        "ingested_at": now, "reposts": mention.engagement.reposts, "likes": mention.engagement.likes,
        "replies": mention.engagement.replies, "quotes": mention.engagement.quotes,
        "conversation_id": mention.conversation_id, "parent_id": mention.parent_id,
        "quoted_id": mention.quoted_id, "reposted_id": mention.reposted_id, "local_id": mention.local_id,
        "is_brand_reply": mention.is_brand_reply,
    }


def store_mentions(session: Session, mentions: Sequence[Mention], *, brand_id: str, source_id: str,
                   now: datetime) -> list[int]:
    """Insert new mentions; return the ids of the ones that were new (duplicates are skipped)."""
    if not mentions:
        return []
    rows = [mention_row(m, brand_id=brand_id, source_id=source_id, now=now) for m in mentions]
    # One cached single-row statement run as "insertmanyvalues" batches: compiling a 500-row VALUES clause
    # per chunk cost more than the insert itself (issue 17's profile).
    statement = (_insert(session, _MENTIONS)
                 .on_conflict_do_nothing()  # the (brand, platform, id) key; with posted_at when partitioned
                 .returning(_MENTIONS.c.id))
    new_ids = [row[0] for piece in pieces(rows) for row in session.execute(statement, piece)]
    if new_ids:
        incident_due.reactions_stored(session, brand_id, rows, now)  # a watched post's audience may be reacting
    _upsert_authors(session, mentions, now)
    return new_ids


def _upsert_authors(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    latest = {(m.platform, m.author.id): m for m in mentions if m.author.id}
    if not latest:
        return
    rows = [{"platform": platform, "external_id": author_id, "handle": m.author.handle,
             "name": m.author.name, "followers": m.author.followers, "updated_at": now}
            for (platform, author_id), m in latest.items()]
    statement = _insert(session, _AUTHORS)
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "external_id"],
        set_={"handle": statement.excluded.handle, "followers": statement.excluded.followers,
              "updated_at": statement.excluded.updated_at})
    for piece in pieces(rows):
        session.execute(statement, piece)


def pieces(rows: list[dict[str, Any]], largest: int = INSERT_PIECE) -> list[list[dict[str, Any]]]:
    """``rows`` in pieces of ``largest`` and then the binary digits of the rest (100 -> 64, 32, 4): few row counts,
    so few distinct statements in SQLite's per-connection cache (INSERT_PIECE)."""
    out: list[list[dict[str, Any]]] = []
    start, size = 0, largest
    while start < len(rows):
        while size > len(rows) - start:
            size //= 2
        out.append(rows[start:start + size])
        start += size
    return out
