"""The digest archive: every digest sent, kept per brand and day for the web workspace's Digests view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.storage.engine import transaction, with_retries
from monitor.storage.tables import DigestArchive

LIST_LIMIT = 400


def archive_digest(engine: Engine, brand_id: str, day: date, *, html: str, text: str, sent_to: Sequence[str],
                   now: datetime) -> int:
    """Store (or replace: the same brand and day sent again) one digest; returns its id."""
    def store() -> int:
        with transaction(engine) as session:
            row = session.exec(select(DigestArchive).where(DigestArchive.brand_id == brand_id,
                                                           DigestArchive.day == day.isoformat())).first()
            row = row or DigestArchive(brand_id=brand_id, day=day.isoformat(), html="", text="", created_at=now)
            row.html, row.text, row.sent_to, row.created_at = html, text, list(sent_to), now
            session.add(row)
            session.flush()
            return row.id or 0
    return with_retries(store)


def list_digests(session: Session, brand_id: str = "", *, limit: int = LIST_LIMIT) -> list[tuple[int, str, str,
                                                                                                  list[str]]]:
    """(id, brand, day, channels) newest day first, without the bodies."""
    query = select(DigestArchive.id, DigestArchive.brand_id, DigestArchive.day, DigestArchive.sent_to)
    if brand_id:
        query = query.where(DigestArchive.brand_id == brand_id)
    rows = session.exec(query.order_by(col(DigestArchive.day).desc(), col(DigestArchive.brand_id)).limit(limit))
    return [(int(i or 0), str(b), str(d), list(s or [])) for i, b, d, s in rows.all()]
