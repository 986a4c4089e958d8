"""Individual triggers within the alert budget: page only when it matters, watch the rest.

A repeat complainer, a high-reach author or a churn threat is common on real complaint streams (the
rules fired ~87 times a week on quiet ones). Each opens a *watch* incident: stored, listed by
``groundswell incidents list`` and in the digest, never paged. It becomes a page when it matters:

* a churn threat from an influential (``churn_page_followers``) or key-account customer;
* a high-reach complaint once its audience reacts (``reach_page_reactions`` reposts, quotes and replies,
  counting replies and quotes from other people we collected);
* a repeat complainer none of whose complaints in ``repeat_days`` the brand answered within
  ``response_target_minutes`` (only when the brand's replies are being collected: a customer in a
  conversation with support is not ignored).

An ordinary customer's churn threat that support has not answered within the hour is common on real
streams (measured on twcs: it paged about once a fortnight on its own), so it stays on the watch list;
once a churn threat or big account has paged, an unanswered one escalates once (``incidents``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, or_, select

from monitor.clock import as_utc
from monitor.settings import BrandSettings, Settings
from monitor.storage import responses
from monitor.storage.tables import Incident, Mention


def _mentions(session: Session, incident: Incident, examples: dict[int, Mention] | None = None) -> list[Mention]:
    ids = incident.example_mention_ids or []
    if examples is not None:
        return [examples[i] for i in sorted(set(ids)) if i in examples]
    return list(session.exec(select(Mention).where(col(Mention.id).in_(ids)))) if ids else []


# the most post ids one reaction count names: SQLite scans the table instead of its partial indexes for a few
# hundred (a statement per power of two up to it, ``padded``)
NAMES_AT_ONCE = 64
REACTION_SLACK = timedelta(hours=1)  # a reply, quote or repost posted this long "before" its post still counts
# what page_reason and the reply lookups read of an example (its text and sentence vector stay unloaded)
_EXAMPLE_COLUMNS = ("id", "brand_id", "platform", "external_id", "local_id", "author_id", "author_handle",
                    "author_followers", "posted_at", "conversation_id", "reposts", "quotes", "replies")


def examples_of(session: Session, incidents: Sequence[Incident]) -> dict[int, Mention]:
    """The example mentions of all these incidents, by id, in one query (other columns load when read)."""
    ids = sorted({i for incident in incidents for i in incident.example_mention_ids or []})
    if not ids:
        return {}
    return {m.id or 0: m for m in session.exec(_examples(), params={"ids": padded(ids)})}


def padded(ids: list[Any]) -> list[Any]:
    """The list padded to a power of two (the last one repeated, the same rows): every distinct length of an ``IN`` list
    is a statement of its own in SQLite's per-connection cache, and the watch list comes in every length."""
    return ids + ids[-1:] * ((1 << (len(ids) - 1).bit_length()) - len(ids)) if ids else ids


@cache
def _examples() -> Any:
    """``examples_of``'s statement, built once (the pass binds the ids)."""
    columns = load_only(*(getattr(Mention, c) for c in _EXAMPLE_COLUMNS))
    return select(Mention).options(columns).where(col(Mention.id).in_(bindparam("ids", expanding=True)))


def reads_examples(session: Session, settings: Settings, incident: Incident, now: datetime) -> bool:
    """Whether ``page_reason`` looks at this incident's examples now (a repeat complainer only once it could
    be unanswered: most watched incidents are repeat complainers within the response target)."""
    return incident.trigger != "repeat_complainer" or _may_be_unanswered(session, settings, incident, now)


def _their_complaints(session: Session, settings: Settings, mentions: list[Mention], now: datetime) -> list[Mention]:
    """Every negative mention of these people in the repeat window: a customer the brand is talking
    to is not ignored, even if its last reply is not in yet."""
    people = {(m.platform, m.author_id) for m in mentions}
    out: list[Mention] = []
    for platform, author in people:
        out += session.exec(select(Mention).where(
            Mention.brand_id == mentions[0].brand_id, Mention.platform == platform, Mention.author_id == author,
            Mention.sentiment == "negative", Mention.posted_at <= now,
            Mention.posted_at >= now - timedelta(days=settings.detection.repeat_days))).all()
    return out or mentions


def reactions(session: Session, mention: Mention) -> int:
    """Reposts, quotes and replies on the post, or the replies and quotes to it we collected (named by its id or,
    on Mastodon, by the instance's local id), whichever is more; ``reactions_of`` for one post."""
    return reactions_of(session, [mention]).get(mention.id or 0, 0)


def reactions_of(session: Session, mentions: Sequence[Mention]) -> dict[int, int]:
    """``reactions`` of each of these posts, by id, in one query per brand and 64 posts: every pass asks it for every
    watched high-reach post, and one count per post was most of a pass once ~180 were watched (issue #17). Only what
    was posted after a post counts (an hour's slack for clocks), by other people, on its platform; the rows naming
    any of the posts are read once and counted here (a row naming two of them counts for both, as two counts did)."""
    out: dict[int, int] = {}
    for brand in sorted({m.brand_id for m in mentions}):
        posts = [m for m in mentions if m.brand_id == brand]
        names = {m.id or 0: {m.external_id, *([m.local_id] if m.local_id else [])} for m in posts}
        rows = _naming_rows(session, brand, sorted(set().union(*names.values())))
        for m in posts:
            after, own = as_utc(m.posted_at) - REACTION_SLACK, names[m.id or 0]
            collected = sum(1 for r in rows if r.platform == m.platform and r.author_id not in (None, m.author_id)
                            and as_utc(r.posted_at) >= after
                            and (r.parent_id in own or r.quoted_id in own or r.reposted_id in own))
            out[m.id or 0] = max(m.reposts + m.quotes + m.replies, collected)
    return out


def _naming_rows(session: Session, brand: str, names: list[str]) -> list[Any]:
    """The brand's posts that answer, quote or repost any of these ids, 64 ids a statement (a row naming ids of two
    pieces comes once). The time is no condition of the query: with it SQLite reads every mention since the oldest
    post by the (brand, time, sentiment) index instead of the partial indexes."""
    if session.autoflush:
        session.flush()  # as the ORM query's autoflush did (Core on the session's connection: 7 columns)
    rows: dict[int, Any] = {}
    for start in range(0, len(names), NAMES_AT_ONCE):
        piece = {"brand": brand, "ids": padded(names[start:start + NAMES_AT_ONCE])}
        rows |= {r.id: r for r in session.connection().execute(_naming(), piece)}
    return list(rows.values())


@cache
def _naming() -> Any:
    """``_naming_rows``'s statement, built once, through the partial indexes on what a post answers, quotes or reposts
    (0014). The brand as an expression (``brand_id || ''``), so no planner reads the brand's mentions by its (brand,
    time) index instead."""
    ids: Any = bindparam("ids", expanding=True)
    columns = ("id", "platform", "author_id", "posted_at", "parent_id", "quoted_id", "reposted_id")
    return sa_select(*(col(getattr(Mention, c)) for c in columns)).where(
        col(Mention.brand_id).concat("") == bindparam("brand"),
        or_(col(Mention.parent_id).in_(ids), col(Mention.quoted_id).in_(ids), col(Mention.reposted_id).in_(ids)))


def _replies_collected(session: Session, brand_id: str, now: datetime) -> bool:
    """Asked once per detection transaction and brand: it scans a week of the brand's mentions, and the
    detection pass writes no mentions, so the answer cannot change within it."""
    memo: dict[tuple[str, datetime], bool] = session.info.setdefault("replies_collected", {})
    if (brand_id, now) not in memo:
        memo[brand_id, now] = responses.replies_collected(session, brand_id, now)
    return memo[brand_id, now]


def _may_be_unanswered(session: Session, settings: Settings, incident: Incident, now: datetime) -> bool:
    """The cheap half of "unanswered": past the response target, and the brand's replies are collected."""
    target = settings.detection.response_target_minutes
    if not target or as_utc(incident.opened_at) > now - timedelta(minutes=target):
        return False
    return _replies_collected(session, incident.brand_id, now)


def repeat_complainers_due(session: Session, settings: Settings, brand_id: str, now: datetime) -> datetime | None:
    """Watched repeat complainers opened at this time or earlier may be unanswered now (``_may_be_unanswered``);
    None: none may (no response target, or the brand's replies are not collected)."""
    target = settings.detection.response_target_minutes
    if not target or not _replies_collected(session, brand_id, now):
        return None
    return now - timedelta(minutes=target)


def _unanswered(session: Session, settings: Settings, incident: Incident, mentions: list[Mention],
                now: datetime) -> bool:
    if not _may_be_unanswered(session, settings, incident, now):
        return False
    return not responses.first_replies_of(session, incident.brand_id, [m.id for m in mentions if m.id is not None])


def watched_reactions(session: Session, incidents: Sequence[Incident], examples: dict[int, Mention]) -> dict[int, int]:
    """``reactions_of`` the examples of these incidents that are high-reach complaints, in one query for the pass."""
    posts = {i: examples[i] for incident in incidents if incident.trigger == "high_reach"
             for i in incident.example_mention_ids or [] if i in examples}
    return reactions_of(session, [posts[i] for i in sorted(posts)]) if posts else {}


def page_reason(session: Session, settings: Settings, brand: BrandSettings, incident: Incident,
                now: datetime, examples: dict[int, Mention] | None = None, counts: dict[int, int] | None = None) -> str:
    """Why this individual trigger is now worth a page ("" while it is only worth watching).

    A repeat complainer is only looked up (their complaints, the brand's replies) once it could be
    unanswered: every pass reviews every watched incident, so the cheap conditions come first.
    ``examples``: the example mentions of the incidents under review, fetched at once (``examples_of``);
    ``counts``: their reactions, counted at once (``watched_reactions``).
    """
    cfg = settings.detection
    trigger = incident.trigger
    if trigger == "repeat_complainer":
        if not _may_be_unanswered(session, settings, incident, now):
            return ""
        mentions = _mentions(session, incident, examples)
        mentions = _their_complaints(session, settings, mentions, now) if mentions else mentions
        if _unanswered(session, settings, incident, mentions, now):
            return f"not answered by the brand within {cfg.response_target_minutes} min"
        return ""
    mentions = _mentions(session, incident, examples)
    if trigger == "churn_threat" and (big := big_customer(settings, brand, mentions)) is not None:
        return big[1]
    if trigger == "high_reach":
        if counts is None or any(m.id not in counts for m in mentions):
            counts = reactions_of(session, mentions)
        best = max((counts[m.id or 0] for m in mentions), default=0)
        if best >= cfg.reach_page_reactions:
            return f"its audience is reacting ({best} reposts, quotes and replies)"
    return ""


def big_customer(settings: Settings, brand: BrandSettings, mentions: Sequence[Mention]) -> tuple[Mention, str] | None:
    """The first of these posts by a customer whose churn threat pages on its own (a key account, or at least
    ``churn_page_followers`` followers), and why in plain words; None when there is none."""
    keys = {h.lower().lstrip("@") for h in brand.key_accounts}
    for m in mentions:
        if m.author_handle.lower().lstrip("@") in keys:
            return m, f"@{m.author_handle} is one of your key accounts"
        if (m.author_followers or 0) >= settings.detection.churn_page_followers:
            return m, f"@{m.author_handle} is influential ({m.author_followers:,} followers)"
    return None


def unanswered_note(session: Session, settings: Settings, incident: Incident, now: datetime) -> bool:
    """For individual incidents that already paged: still unanswered past the target (escalate once)."""
    if not _may_be_unanswered(session, settings, incident, now):
        return False
    return _unanswered(session, settings, incident, _mentions(session, incident), now)
