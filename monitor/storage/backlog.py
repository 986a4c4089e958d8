"""The scoring backlog per source: read by scoring's fair shares, /metrics and `groundswell sources`.

A storage query of its own, so `groundswell sources` counts the backlog without importing the scoring
code (its models, numpy and the story index).
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.storage.tables import Mention


def unscored_by_source(session: Session) -> dict[tuple[str, str], int]:
    """(brand, source) -> mentions waiting for a sentiment: the backlog /metrics and `sources` show."""
    rows = session.exec(select(Mention.brand_id, Mention.source_id, func.count()).where(
        col(Mention.sentiment).is_(None)).group_by(Mention.brand_id, Mention.source_id)).all()
    return {(brand, source): int(count) for brand, source, count in rows}
