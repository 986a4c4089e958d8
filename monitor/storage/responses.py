"""Did the brand answer?  Replies from the brand's own accounts, matched to the complaints they answer.

One rule (``answers``), used by the detection pass (unanswered complaints escalate), the digest's response
figures and the web's archived digests: a reply of the same brand on the same platform, posted no earlier,
answers a mention when its ``parent_id`` names the mention as its platform's replies name a post (the
``external_id``; on Mastodon the instance's own status id, stored as ``local_id``), or when it is in the same
conversation (``conversation_id``).  Only meaningful once the brand's replies are being collected (X, Reddit
and Mastodon sources do), so every check first asks whether any were.

The replies are found through ``ix_mentions_brand_reply_posted`` (brand, is_brand_reply, posted_at): the
mention's brand and time bound the range, so neither ``parent_id`` nor ``local_id`` needs an index.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, func, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.storage.tables import Mention

INDIVIDUAL = ("churn_threat", "high_reach", "repeat_complainer")


def replies_collected(session: Session, brand_id: str, now: datetime) -> bool:
    since = now - timedelta(days=7)
    if session.autoflush:
        session.flush()  # what the ORM query's autoflush did (on the connection, the ORM's cost is left out)
    return session.connection().execute(_recent_reply(), {"brand": brand_id, "since": since}).first() is not None


@cache
def _recent_reply() -> Any:
    """Any reply of the brand since ``since`` (built once: a detection pass asks it of every brand)."""
    return select(col(Mention.id)).where(Mention.brand_id == bindparam("brand"),
                                         Mention.is_brand_reply == True,  # noqa: E712
                                         Mention.posted_at >= bindparam("since")).limit(1)


def answers(reply: Any, mention: Any) -> ColumnElement[bool]:
    """``reply`` (an alias of ``Mention``) answers ``mention`` (``Mention`` or an alias): the join condition."""
    return and_(col(reply.brand_id) == col(mention.brand_id), col(reply.platform) == col(mention.platform),
                col(reply.is_brand_reply) == True, col(reply.posted_at) >= col(mention.posted_at),  # noqa: E712
                or_(col(reply.parent_id) == col(mention.external_id),
                    and_(col(mention.local_id).is_not(None), col(reply.parent_id) == col(mention.local_id)),
                    and_(col(mention.conversation_id).is_not(None),
                         col(reply.conversation_id) == col(mention.conversation_id))))


def first_replies_of(session: Session, brand_id: str, mention_ids: Collection[int]) -> dict[int, datetime]:
    """When the brand first answered each of these mentions of it that it answered (the rest are absent): one
    join.  The brand, named, bounds the replies' index range (PostgreSQL carries it across the join)."""
    if not mention_ids:
        return {}
    reply = aliased(Mention)
    rows = session.exec(select(Mention.id, func.min(col(reply.posted_at))).join(reply, answers(reply, Mention))
                        .where(col(Mention.brand_id) == brand_id, col(Mention.id).in_(sorted(set(mention_ids))))
                        .group_by(col(Mention.id))).all()
    return {int(mention_id): as_utc(when) for mention_id, when in rows if mention_id is not None}


def first_reply(session: Session, mention: Mention) -> datetime | None:
    """When the brand first answered this mention, if it did."""
    if mention.id is None:
        return None
    return first_replies_of(session, mention.brand_id, [mention.id]).get(mention.id)
