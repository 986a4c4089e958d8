"""Did the brand answer?  Replies from the brand's own accounts, matched to the complaints they answer.

A reply answers a mention when its ``parent_id`` is the mention's post id, or when it is in the same
conversation (``conversation_id``) and came later.  Only meaningful once the brand's replies are
being collected (X and Reddit sources do), so every check first asks whether any were.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, or_, select

from monitor.clock import as_utc
from monitor.storage.tables import Mention

INDIVIDUAL = ("churn_threat", "high_reach", "repeat_complainer")


def replies_collected(session: Session, brand_id: str, now: datetime) -> bool:
    since = now - timedelta(days=7)
    return session.exec(_recent_reply(), params={"brand": brand_id, "since": since}).first() is not None


@cache
def _recent_reply() -> Any:
    """Any reply of the brand since ``since`` (built once: a detection pass asks it of every brand)."""
    return select(Mention.id).where(Mention.brand_id == bindparam("brand"), Mention.is_brand_reply == True,  # noqa: E712
                                    Mention.posted_at >= bindparam("since"))


def first_reply(session: Session, mention: Mention) -> datetime | None:
    """When the brand first answered this mention, if it did."""
    match = [col(Mention.parent_id) == mention.external_id]
    if mention.conversation_id:
        match.append(col(Mention.conversation_id) == mention.conversation_id)
    reply = session.exec(select(Mention.posted_at).where(
        Mention.brand_id == mention.brand_id, Mention.platform == mention.platform,
        Mention.is_brand_reply == True, Mention.posted_at >= mention.posted_at,  # noqa: E712
        or_(*match)).order_by(col(Mention.posted_at))).first()
    return as_utc(reply) if reply is not None else None
