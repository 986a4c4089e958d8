"""Bluesky's post view as a Mention: every value checked through connectors/sanitize.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors import sanitize
from connectors.base import Author, Engagement, Mention


def post_mention(post: Any, followers: int | None, brand_accounts: set[str] | frozenset[str]) -> Mention:
    """One ``PostView`` (or its dict form); raises AttributeError/KeyError/TypeError/ValueError when malformed."""
    record = post.record
    text = str(getattr(record, "text", None) if not isinstance(record, dict) else record["text"])
    created = getattr(record, "created_at", None) if not isinstance(record, dict) else record["createdAt"]
    reply = getattr(record, "reply", None)
    embed = getattr(post, "embed", None)
    quoted = getattr(getattr(embed, "record", None), "uri", None)
    rkey = post.uri.rsplit("/", 1)[-1]
    author = post.author
    langs = getattr(record, "langs", None) or []
    return sanitize.mention(Mention(
        platform="bluesky", external_id=sanitize.ident(post.uri, "uri"),
        author=Author(id=author.did, handle=author.handle, name=author.display_name or "", followers=followers),
        text=text, posted_at=sanitize.when(created, "createdAt"),
        url=f"https://bsky.app/profile/{author.handle}/post/{rkey}",
        lang=langs[0] if langs else None,
        engagement=Engagement(*(sanitize.count(getattr(post, k)) for k in
                                ("repost_count", "like_count", "reply_count", "quote_count"))),
        conversation_id=reply.root.uri if reply else post.uri, parent_id=reply.parent.uri if reply else None,
        quoted_id=quoted if isinstance(quoted, str) else None,
        is_brand_reply=str(author.handle).lower() in brand_accounts))


def sort_time(post: Any, mention: Mention) -> datetime:
    """Search sorts on the earlier of createdAt and indexedAt; an unreadable indexedAt falls back to createdAt."""
    try:
        return min(mention.posted_at, sanitize.when(post.indexed_at, "indexedAt"))
    except sanitize.RowError:
        return mention.posted_at
