"""A fake Bluesky PDS/AppView: createSession/refreshSession, searchPosts (auth required), getProfiles.

Shapes follow the lexicons: ``com.atproto.server.createSession`` answers ``accessJwt``/``refreshJwt``/
``did``/``handle``; ``app.bsky.feed.searchPosts`` answers ``{posts: [PostView], cursor?, hitsTotal}``
ordered by sort time (min of createdAt/indexedAt), with ``since`` inclusive and ``until`` exclusive;
``app.bsky.actor.getProfiles`` takes repeated ``actors`` and answers ``followersCount``.  Errors are XRPC
``{error, message}`` bodies; every answer carries ``ratelimit-*`` headers.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes import FakeAPI, Reply, Request, compile_query, text_term

_raw = threading.local()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _when(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeBluesky(FakeAPI):
    def __init__(self, handle: str = "monitor.bsky.social", password: str = "app-pass-word",
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.handle, self.password, self.did = handle, password, "did:plc:monitor0000000000000000"
        self.clock = clock or (lambda: datetime.now(UTC))
        self.posts: list[dict[str, Any]] = []
        self.followers: dict[str, int] = {}
        self.logins = 0
        self.refreshes = 0
        self.access_lifetime = timedelta(hours=2)
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()

    def start(self) -> FakeBluesky:
        super().start()
        assert self._server is not None
        base = self._server.RequestHandlerClass

        class KeepRaw(base):  # type: ignore[misc, valid-type]
            def _serve(self) -> None:
                _raw.path = self.path  # getProfiles repeats ``actors``: keep every value
                super()._serve()

            do_GET = do_POST = _serve

        self._server.RequestHandlerClass = KeepRaw
        return self

    # ---- data -------------------------------------------------------------------------------
    def add_post(self, text: str, *, handle: str = "alice.bsky.social", followers: int = 50,
                 age: timedelta = timedelta(minutes=1), index_delay: timedelta = timedelta(seconds=1),
                 reply_to: str | None = None, langs: tuple[str, ...] = ("en",), likes: int = 3) -> str:
        did = "did:plc:" + handle.split(".")[0].ljust(24, "x")[:24]
        self.followers.setdefault(did, followers)
        created = self.clock() - age
        rkey = f"3l{len(self.posts):011d}"
        uri = f"at://{did}/app.bsky.feed.post/{rkey}"
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _iso(created),
                                  "langs": list(langs)}
        if reply_to:
            parent = next(p for p in self.posts if p["uri"] == reply_to)
            root = parent["record"].get("reply", {}).get("root") or {"uri": parent["uri"], "cid": parent["cid"]}
            record["reply"] = {"root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
        self.posts.append({"uri": uri, "cid": "bafyrei" + rkey.lower().ljust(52, "a"),
                           "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0].title(),
                                      "labels": [], "createdAt": "2024-01-01T00:00:00.000Z"},
                           "record": record, "replyCount": 0, "repostCount": 1, "likeCount": likes,
                           "quoteCount": 0, "indexedAt": _iso(created + index_delay), "labels": []})
        return uri

    def _token(self, kind: str, lifetime: timedelta) -> str:
        now = int(time.time())  # atproto compares ``exp`` with the real clock
        payload = {"scope": "com.atproto.appPass" if kind == "access" else "com.atproto.refresh", "sub": self.did,
                   "iat": now, "exp": now + int(lifetime.total_seconds()), "aud": "did:web:fake.pds",
                   "jti": f"{kind}-{self.logins}-{self.refreshes}"}
        token = f"{_b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{_b64(payload)}.c2ln"
        (self.valid_access if kind == "access" else self.valid_refresh).add(token)
        return token

    def _session(self) -> dict[str, Any]:
        return {"accessJwt": self._token("access", self.access_lifetime),
                "refreshJwt": self._token("refresh", timedelta(days=60)),
                "handle": self.handle, "did": self.did, "active": True}

    def expire_sessions(self) -> None:
        self.valid_access.clear()

    # ---- HTTP -------------------------------------------------------------------------------
    def _json(self, status: int, body: Any, extra: dict[str, str] | None = None) -> Reply:
        reset = int((self.clock() + timedelta(minutes=5)).timestamp())
        return Reply(status, json.dumps(body).encode(), {
            "content-type": "application/json; charset=utf-8", "ratelimit-limit": "3000",
            "ratelimit-remaining": "2999", "ratelimit-reset": str(reset), "ratelimit-policy": "3000;w=300",
            **(extra or {})})

    def fault_reply(self, kind: str, req: Request) -> Reply:
        if kind == "429":
            reset = int((self.clock() + timedelta(seconds=90)).timestamp())
            return self._json(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                              {"ratelimit-remaining": "0", "ratelimit-reset": str(reset)})
        errors = {401: ("AuthenticationRequired", "Invalid identifier or password"),
                  403: ("Forbidden", "Account has been suspended"), 500: ("InternalServerError", "Internal Error"),
                  503: ("UpstreamFailure", "Upstream Failure")}
        name, message = errors.get(int(kind), ("Error", "error"))
        return self._json(int(kind), {"error": name, "message": message})

    def route(self, req: Request) -> Reply:
        method = req.path.removeprefix("/xrpc/")
        bearer = req.headers.get("authorization", "").removeprefix("Bearer ")
        if method == "com.atproto.server.createSession":
            body = json.loads(req.body or b"{}")
            if body.get("identifier") != self.handle or body.get("password") != self.password:
                return self._json(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
            self.logins += 1
            return self._json(200, self._session())
        if method == "com.atproto.server.refreshSession":
            if bearer not in self.valid_refresh:
                return self._json(400, {"error": "ExpiredToken", "message": "Token has expired"})
            self.refreshes += 1
            return self._json(200, self._session())
        if bearer not in self.valid_access:
            if bearer:
                return self._json(400, {"error": "ExpiredToken", "message": "Token has expired"})
            return self._json(401, {"error": "AuthMissing", "message": "Authentication Required"})
        if method == "app.bsky.feed.searchPosts":
            return self._search(req.query)
        if method == "app.bsky.actor.getProfiles":
            actors = parse_qs(urlsplit(getattr(_raw, "path", req.path)).query).get("actors", [])
            if len(actors) > 25:
                return self._json(400, {"error": "InvalidRequest", "message": "actors must not have more than 25"})
            profiles = [{"did": p["author"]["did"], "handle": p["author"]["handle"],
                         "followersCount": self.followers.get(p["author"]["did"], 0), "followsCount": 1,
                         "postsCount": 9} for p in {p["author"]["did"]: p for p in self.posts}.values()
                        if p["author"]["did"] in actors]
            return self._json(200, {"profiles": profiles})
        return self._json(501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"})

    @staticmethod
    def sort_at(post: dict[str, Any]) -> datetime:
        try:
            return min(_when(post["record"]["createdAt"]), _when(post["indexedAt"]))
        except (KeyError, ValueError):  # a broken record sorts by its index time
            return _when(post["indexedAt"])

    def _search(self, q: dict[str, str]) -> Reply:
        if not q.get("q"):
            return self._json(400, {"error": "InvalidRequest", "message": 'Error: Params must have the property "q"'})
        def term(token: str) -> Callable[[dict[str, Any]], bool]:
            if token.startswith("mentions:"):  # search syntax: posts that mention a handle
                return lambda p: text_term("@" + token[9:].lstrip("@"), p["record"]["text"])
            return lambda p: text_term(token, p["record"]["text"])

        match = compile_query(q["q"], term)
        since = _when(q["since"]) if q.get("since") else None
        until = _when(q["until"]) if q.get("until") else None
        hits = [p for p in self.posts if match(p) and (since is None or self.sort_at(p) >= since)
                and (until is None or self.sort_at(p) < until)]
        hits.sort(key=lambda p: (self.sort_at(p), p["uri"]), reverse=True)
        offset, size = int(q.get("cursor") or 0), min(100, int(q.get("limit") or 25))
        page = hits[offset:offset + size]
        body: dict[str, Any] = {"posts": page, "hitsTotal": len(hits)}
        if offset + size < len(hits):
            body["cursor"] = str(offset + size)
        return self._json(200, body)

    def search_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path == "/xrpc/app.bsky.feed.searchPosts"]
