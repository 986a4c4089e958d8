"""Replies and quotes tie a finding to an incident: a mention that answers, quotes or reposts a post of the
incident (or whose post the incident's mentions answer) is about the same event, whatever its words.

Why: a grievance retold in new words shares neither words nor a close sentence vector with the first telling,
but the platforms record what it answers (``parent_id``, ``quoted_id``, ``reposted_id``), and one such link is
strong evidence (``benchmarks/incident_join.py``). The brand's own replies never count: the brand answers every
complaint, so its replies would tie them all together. Links never cross brands: an incident's posts and a
finding's mentions are read per brand. A post is named as its platform's replies name it (``local_id``, else
``external_id``).
"""

from __future__ import annotations

from typing import Any, Protocol

MAX_POSTS = 300  # post ids (and as many link targets) an incident keeps for joining


class Linked(Protocol):
    """What a stored mention says about its place in a thread."""

    external_id: str
    local_id: str | None
    parent_id: str | None
    quoted_id: str | None
    reposted_id: str | None
    is_brand_reply: bool


def post_and_links(m: Linked) -> tuple[str | None, set[str]]:
    """(this post's id, the posts it answers, quotes or reposts); nothing for the brand's own posts."""
    if m.is_brand_reply:
        return None, set()
    return m.local_id or m.external_id, {p for p in (m.parent_id, m.quoted_id, m.reposted_id) if p}


def linked(data: dict[str, Any], posts: set[str], links: set[str]) -> bool:
    """Does a finding (its mentions' ``posts`` and ``links``) answer the incident (``data``), or it the finding?"""
    return bool(links & set(data.get("posts", ())) or posts & set(data.get("links", ())))


def absorb_links(data: dict[str, Any], posts: set[str], links: set[str]) -> None:
    """Keep the finding's posts and what they answer in the incident's join data (the latest ``MAX_POSTS``)."""
    for name, new in (("posts", posts), ("links", links)):
        kept = list(data.get(name, []))
        known = set(kept)
        data[name] = (kept + sorted(new - known))[-MAX_POSTS:]
