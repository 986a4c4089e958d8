"""A fake Reddit OAuth API: token endpoint, Listing-shaped search/new/comments, user about, rate headers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from monitor.replay.fakes.base import FakeAPI, Reply, Request, compile_query, text_term


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"content-type": "application/json", **(headers or {})})


class FakeReddit(FakeAPI):
    def __init__(
        self, client_id: str = "cid", secret: str = "csecret", clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__()
        self.client_id, self.secret = client_id, secret
        self.clock = clock or (lambda: datetime.now(UTC))
        self.items: list[dict[str, Any]] = []  # {"kind": "t3"|"t1", "data": {...}}
        self.karma: dict[str, int] = {}
        self.remaining = 996.0
        self.tokens_issued = 0
        self.suspended: set[str] = set()

    def _add(self, kind: str, data: dict[str, Any], age: timedelta) -> str:
        ident = f"{len(self.items) + 1:x}k"
        data.update(
            id=ident,
            name=f"{kind}_{ident}",
            created_utc=(self.clock() - age).timestamp(),
            created=(self.clock() - age).timestamp(),
        )
        self.items.append({"kind": kind, "data": data})
        return f"{kind}_{ident}"

    def add_post(
        self,
        title: str,
        *,
        sub: str = "gadgets",
        author: str = "alice",
        body: str = "",
        age: timedelta = timedelta(minutes=1),
        score: int = 1,
        comments: int = 0,
        nsfw: bool = False,
        removed: str | None = None,
    ) -> str:
        ident = f"{len(self.items) + 1:x}k"
        return self._add(
            "t3",
            {
                "title": title,
                "selftext": body,
                "author": author,
                "author_fullname": f"t2_{author}",
                "subreddit": sub,
                "subreddit_name_prefixed": f"r/{sub}",
                "score": score,
                "ups": score,
                "num_comments": comments,
                "over_18": nsfw,
                "removed_by_category": removed,
                "is_self": True,
                "permalink": f"/r/{sub}/comments/{ident}/slug/",
                "url": f"https://www.reddit.com/r/{sub}/comments/{ident}/",
            },
            age,
        )

    def add_comment(
        self,
        body: str,
        *,
        post: str,
        sub: str = "gadgets",
        author: str = "bob",
        parent: str | None = None,
        age: timedelta = timedelta(minutes=1),
        score: int = 1,
    ) -> str:
        ident = f"{len(self.items) + 1:x}k"
        return self._add(
            "t1",
            {
                "body": body,
                "author": author,
                "author_fullname": f"t2_{author}",
                "subreddit": sub,
                "link_id": post,
                "parent_id": parent or post,
                "score": score,
                "ups": score,
                "permalink": f"/r/{sub}/comments/{post[3:]}/slug/{ident}/",
                "link_title": "x",
            },
            age,
        )

    def _limits(self) -> dict[str, str]:
        return {
            "x-ratelimit-used": str(int(1000 - self.remaining)),
            "x-ratelimit-remaining": f"{self.remaining:.1f}",
            "x-ratelimit-reset": "300",
        }

    def fault_reply(self, kind: str, req: Request) -> Reply:
        if kind == "429":
            self.remaining = 0
            return _json(429, {"message": "Too Many Requests", "error": 429}, self._limits())
        status = int(kind)
        return _json(
            status, {"message": {401: "Unauthorized", 403: "Forbidden"}.get(status, "Server Error"), "error": status}
        )

    def route(self, req: Request) -> Reply:
        if req.path == "/api/v1/access_token":
            return self._token(req)
        if req.headers.get("authorization", "") != f"bearer token-{self.tokens_issued}" or not self.tokens_issued:
            return _json(401, {"message": "Unauthorized", "error": 401})
        self.remaining -= 1
        parts = [p for p in req.path.split("/") if p]
        if len(parts) == 3 and parts[0] == "user" and parts[2] == "about" and parts[1] in self.suspended:
            return _json(404, {"message": "Not Found", "error": 404})
        if len(parts) == 3 and parts[0] == "user" and parts[2] == "about":
            return _json(200, self._about(parts[1]), self._limits())
        if len(parts) == 3 and parts[0] == "r" and parts[2] == "search" and len(req.query.get("q", "")) > 512:
            return _json(400, {"message": "Bad Request", "error": 400}, self._limits())  # q: at most 512
        if len(parts) == 3 and parts[0] == "r":
            return _json(200, self._listing(parts[1], parts[2], req.query), self._limits())
        return _json(404, {"message": "Not Found", "error": 404})

    def _token(self, req: Request) -> Reply:
        expected = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
        form = {k: v[-1] for k, v in parse_qs(req.body.decode()).items()}
        if req.headers.get("authorization") != f"Basic {expected}":
            return _json(401, {"message": "Unauthorized", "error": 401})
        if form.get("grant_type") != "client_credentials":
            return _json(200, {"error": "unsupported_grant_type"})
        self.tokens_issued += 1
        return _json(
            200,
            {"access_token": f"token-{self.tokens_issued}", "token_type": "bearer", "expires_in": 86400, "scope": "*"},
        )

    def _about(self, name: str) -> dict[str, Any]:
        karma = self.karma.get(name, 0)
        return {
            "kind": "t2",
            "data": {
                "name": name,
                "id": name,
                "link_karma": karma // 2,
                "comment_karma": karma - karma // 2,
                "total_karma": karma,
                "created_utc": 1.6e9,
            },
        }

    def _listing(self, sub: str, what: str, q: dict[str, str]) -> dict[str, Any]:
        kind = "t1" if what == "comments" else "t3"
        items = [i for i in self.items if i["kind"] == kind and (sub == "all" or i["data"]["subreddit"] == sub)]
        if what == "search":
            match = compile_query(
                q.get("q", ""), lambda token: lambda d: text_term(token, f"{d['title']} {d['selftext']}")
            )
            items = [i for i in items if match(i["data"])]
        items.sort(key=lambda i: -i["data"]["created_utc"])
        if q.get("after"):
            names = [i["data"]["name"] for i in items]
            items = items[names.index(q["after"]) + 1 :] if q["after"] in names else []
        size = min(100, int(q.get("limit", 25)))
        page = items[:size]
        after = page[-1]["data"]["name"] if len(items) > size else None
        return {
            "kind": "Listing",
            "data": {
                "after": after,
                "before": None,
                "dist": len(page),
                "modhash": "",
                "geo_filter": "",
                "children": page,
            },
        }

    def listing_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith("/r/")]
