"""A fake Mastodon instance: hashtag timelines, v2 status search, X-RateLimit-* headers, Link paging.

Statuses carry the documented entity fields (``id`` local snowflake, ``uri`` canonical ActivityPub id,
``url``, HTML ``content``, ``account`` with ``acct``/``followers_count``...).  ``federate`` copies a status
to another instance under a new local id with the same ``uri``, as federation does.  Status search needs
a bearer token (as on mastodon.social) and only finds statuses whose author opted in (``indexable``).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes import FakeAPI, Reply, Request, compile_query, text_term


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class FakeMastodon(FakeAPI):
    def __init__(self, domain: str = "mastodon.example", token: str = "test-token",
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.domain, self.token = domain, token
        self.clock = clock or (lambda: datetime.now(UTC))
        self.statuses: list[dict[str, Any]] = []
        self.limit, self.remaining = 300, 300
        self.reset_in = timedelta(minutes=5)
        self._seq = 0

    def _local_id(self, created: datetime) -> str:
        self._seq += 1
        return str((int(created.timestamp() * 1000) << 16) + self._seq)

    def add_status(self, text: str, *, user: str = "alice", followers: int = 10, lang: str = "en",
                   age: timedelta = timedelta(minutes=1), indexable: bool = True, spoiler: str = "",
                   reply_to: str | None = None, quote_of: str | None = None) -> str:
        """Post ``text`` (``#tags`` become tags) as a local user; returns the status ``uri``."""
        created = self.clock() - age
        local = self._local_id(created)
        account = {"id": str(100 + len(self.statuses)), "username": user, "acct": user,
                   "display_name": user.title(), "locked": False, "bot": False, "indexable": indexable,
                   "url": f"https://{self.domain}/@{user}", "uri": f"https://{self.domain}/users/{user}",
                   "followers_count": followers, "following_count": 1, "statuses_count": 3,
                   "created_at": "2024-01-01T00:00:00.000Z", "note": "", "avatar": "", "emojis": [], "fields": []}
        content = "<p>" + re.sub(r"#(\w+)", r'<a href="https://x/tags/\1" class="mention hashtag">#<span>\1</span></a>',
                                 html.escape(text)) + "</p>"
        status = {"id": local, "created_at": _stamp(created), "in_reply_to_id": reply_to,
                  "in_reply_to_account_id": None, "sensitive": bool(spoiler), "spoiler_text": spoiler,
                  "visibility": "public", "language": lang, "uri": f"https://{self.domain}/users/{user}/statuses/{local}",
                  "url": f"https://{self.domain}/@{user}/{local}", "replies_count": 0, "reblogs_count": 2,
                  "favourites_count": 5, "edited_at": None, "content": content, "reblog": None,
                  "account": account, "media_attachments": [], "mentions": [], "emojis": [], "card": None,
                  "poll": None, "tags": [{"name": t.lower(), "url": f"https://{self.domain}/tags/{t.lower()}"}
                                         for t in re.findall(r"#(\w+)", text)]}
        if quote_of is not None:  # Mastodon 4.5: an accepted quote carries the quoted status in full
            status["quote"] = {"state": "accepted",
                               "quoted_status": next(s for s in self.statuses if s["id"] == quote_of)}
        self.statuses.append(status)
        return status["uri"]

    def federate(self, uri: str, other: FakeMastodon) -> str:
        """Copy a status to ``other`` under its own local id; the account becomes remote (user@domain)."""
        original = next(s for s in self.statuses if s["uri"] == uri)
        copy = json.loads(json.dumps(original))
        copy["id"] = other._local_id(datetime.fromisoformat(original["created_at"].replace("Z", "+00:00")))
        copy["account"]["acct"] = f"{original['account']['username']}@{self.domain}"
        copy["account"]["id"] = str(900 + len(other.statuses))
        other.statuses.append(copy)
        return copy["id"]

    # ---- HTTP -----------------------------------------------------------------------------
    def _limits(self) -> dict[str, str]:
        reset = datetime.now(UTC) + self.reset_in  # Mastodon.py aligns the reset with the Date header (real time)
        return {"x-ratelimit-limit": str(self.limit), "x-ratelimit-remaining": str(max(0, self.remaining)),
                "x-ratelimit-reset": _stamp(reset)}

    def _json(self, status: int, body: Any, extra: dict[str, str] | None = None) -> Reply:
        return Reply(status, json.dumps(body).encode(), {"content-type": "application/json; charset=utf-8",
                                                         **self._limits(), **(extra or {})})

    def fault_reply(self, kind: str, req: Request) -> Reply:
        if kind == "429":
            return self._json(429, {"error": "Too many requests"}, {"x-ratelimit-remaining": "0"})
        messages = {401: "The access token is invalid", 403: "This action is not allowed",
                    500: "We're sorry, but something went wrong on our end.", 503: "Service Unavailable"}
        return self._json(int(kind), {"error": messages.get(int(kind), "error")})

    def route(self, req: Request) -> Reply:
        auth = req.headers.get("authorization")
        if auth is not None and auth != f"Bearer {self.token}":
            return self.fault_reply("401", req)
        self.remaining -= 1
        if self.remaining < 0:
            return self.fault_reply("429", req)
        q = req.query
        if req.path.startswith("/api/v1/timelines/tag/"):
            tag = req.path.rsplit("/", 1)[1].lower()
            found = [s for s in self.statuses if any(t["name"] == tag for t in s["tags"])]
            return self._page(found, q, req.path)
        if req.path == "/api/v2/search":
            if auth is None:
                return self._json(200, {"accounts": [], "statuses": [], "hashtags": []})
            match = compile_query(q.get("q", ""), lambda token: lambda s: text_term(token, _plain(s["content"])))
            found = [s for s in self.statuses if s["account"].get("indexable") and match(s)]
            page = self._window(found, q)
            return self._json(200, {"accounts": [], "statuses": page, "hashtags": []})
        if req.path == "/api/v2/instance":  # Mastodon.py reads timelines_access before a hashtag timeline
            feeds = {"local": "public", "remote": "public"}
            return self._json(200, {"domain": self.domain, "title": self.domain, "version": "4.4.0",
                                    "configuration": {"timelines_access": {
                                        "live_feeds": feeds, "hashtag_feeds": feeds, "trending_link_feeds": feeds}}})
        return self._json(404, {"error": "Record not found"})

    @staticmethod
    def _window(found: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
        key = lambda s: int(s["id"])  # noqa: E731
        low = int(q.get("since_id") or q.get("min_id") or 0)
        high = int(q.get("max_id") or 1 << 80)
        hits = sorted((s for s in found if low < key(s) < high), key=key, reverse=True)
        size = min(40, int(q.get("limit") or 20))
        return hits[:size]

    def _page(self, found: list[dict[str, Any]], q: dict[str, str], path: str) -> Reply:
        page = self._window(found, q)
        links = {}
        if page:
            base = f"https://{self.domain}{path}"
            links["link"] = (f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                             f'<{base}?min_id={page[0]["id"]}>; rel="prev"')
        return self._json(200, page, links)

    def search_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path == "/api/v2/search"]


def _plain(content: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", content))
