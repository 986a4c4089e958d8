"""One X API v2 post (tweet object plus its expanded author) as a Mention: fields named as X's docs name them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from connectors import sanitize
from connectors.base import Author, Engagement, Mention

METRICS = ("retweet_count", "like_count", "reply_count", "quote_count")


def mention_of(tweet: dict[str, Any], users: dict[str, dict[str, Any]], brand_handles: Collection[str]) -> Mention:
    """Raises KeyError, TypeError or ValueError on a malformed post (the caller skips and reports it)."""
    posted = sanitize.when(tweet["created_at"], "created_at")
    user = users.get(tweet.get("author_id", ""), {})
    handle = user.get("username", "")
    refs = {r.get("type"): str(r.get("id")) for r in tweet.get("referenced_tweets") or []}
    metrics = tweet.get("public_metrics") or {}
    followers = (user.get("public_metrics") or {}).get("followers_count")
    return sanitize.mention(Mention(
        platform="x", external_id=sanitize.ident(tweet["id"]),
        author=Author(id=str(tweet.get("author_id", "")), handle=handle, name=user.get("name", ""),
                      followers=sanitize.optional_count(followers, "followers_count")),
        text=tweet.get("text", ""), posted_at=posted,
        url=f"https://x.com/{handle or 'i/web'}/status/{tweet['id']}", lang=tweet.get("lang"),
        engagement=Engagement(*(sanitize.count(metrics.get(k), k) for k in METRICS)),
        conversation_id=tweet.get("conversation_id"), parent_id=refs.get("replied_to"),
        quoted_id=refs.get("quoted"), reposted_id=refs.get("retweeted"),
        is_brand_reply=str(handle).lower() in brand_handles, raw=tweet))
