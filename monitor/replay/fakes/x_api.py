"""A fake X API v2 recent search (GET /2/tweets/search/recent) shaped like the documented responses.

Only the fields a request asks for come back (``tweet.fields``, ``user.fields``, ``expansions``), an
empty result has no ``data``, pages carry ``meta.next_token``, a referenced post that does not exist
comes back as a partial ``errors`` entry in a 200, and every answer has ``x-rate-limit-*`` headers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.replay.fakes.base import FakeAPI, Reply, Request, compile_query, text_term

FIRST_ID = 1_860_000_000_000_000_000


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"content-type": "application/json", **(headers or {})})


class FakeX(FakeAPI):
    def __init__(self, token: str = "test-bearer", clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.token = token
        self.clock = clock or (lambda: datetime.now(UTC))
        self.tweets: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.partial_errors: list[dict[str, Any]] = []
        self.remaining = 450
        self.oldest_valid_id = 0  # since_id/until_id below this are "older than 7 days" (400)
        self.rate_limit_reset: datetime | None = None  # a 429's x-rate-limit-reset; None: 120 s from each answer
        self._next = FIRST_ID

    # ---- data -----------------------------------------------------------------------------
    def add_user(self, username: str, followers: int = 10, name: str = "") -> str:
        for uid, user in self.users.items():
            if user["username"] == username:
                return uid
        uid = str(1000 + len(self.users))
        self.users[uid] = {
            "id": uid,
            "username": username,
            "name": name or username.title(),
            "public_metrics": {
                "followers_count": followers,
                "following_count": 1,
                "tweet_count": 5,
                "listed_count": 0,
                "like_count": 0,
            },
        }
        return uid

    def add_tweet(
        self,
        text: str,
        *,
        user: str = "someone",
        followers: int = 10,
        lang: str = "en",
        age: timedelta = timedelta(minutes=1),
        refs: list[tuple[str, str]] = (),  # type: ignore
        likes: int = 0,
        retweets: int = 0,
    ) -> str:
        self._next += 1 + len(self.tweets) * 7
        tid = str(self._next)
        created = (self.clock() - age).astimezone(UTC)
        reply_to = next((i for t, i in refs if t == "replied_to"), None)
        tweet: dict[str, Any] = {
            "id": tid,
            "text": text,
            "edit_history_tweet_ids": [tid],
            "author_id": self.add_user(user, followers),
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "lang": lang,
            "conversation_id": reply_to or tid,
            "public_metrics": {
                "retweet_count": retweets,
                "reply_count": 0,
                "like_count": likes,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": likes * 10,
            },
        }
        if refs:
            tweet["referenced_tweets"] = [{"type": t, "id": i} for t, i in refs]
        if reply_to:
            tweet["in_reply_to_user_id"] = next((x["author_id"] for x in self.tweets if x["id"] == reply_to), "1")
        self.tweets.append(tweet)
        return tid

    # ---- HTTP -----------------------------------------------------------------------------
    def _limits(self) -> dict[str, str]:
        reset = int((self.clock() + timedelta(minutes=15)).timestamp())
        return {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": str(max(0, self.remaining)),
            "x-rate-limit-reset": str(reset),
        }

    def fault_reply(self, kind: str, req: Request) -> Reply:
        if kind == "429":
            reset = int((self.rate_limit_reset or self.clock() + timedelta(seconds=120)).timestamp())
            return _json(
                429,
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
                {
                    "x-rate-limit-limit": "450",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(reset),
                },
            )
        status = int(kind)
        titles = {
            401: "Unauthorized",
            403: "Forbidden",
            500: "Internal Server Error",
            503: "Service Unavailable",
        }
        return _json(
            status,
            {
                "title": titles.get(status, "Error"),
                "detail": titles.get(status, "Error"),
                "type": "about:blank",
                "status": status,
            },
        )

    def route(self, req: Request) -> Reply:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return self.fault_reply("401", req)
        self.remaining -= 1
        if req.path == "/2/usage/tweets":
            return _json(
                200,
                {
                    "data": {
                        "project_cap": "2000000",
                        "project_id": "1",
                        "project_usage": "12",
                        "cap_reset_day": 1,
                    }
                },
                self._limits(),
            )
        if req.path != "/2/tweets/search/recent":
            return _json(404, {"title": "Not Found Error", "status": 404, "type": "about:blank"})
        problem = self._invalid(req.query)
        if problem:
            return _json(
                400,
                {
                    "errors": [{"parameters": {}, "message": problem}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        return _json(200, self._search(req.query), self._limits())

    def _invalid(self, q: dict[str, str]) -> str | None:
        week_ago = self.clock() - timedelta(days=7)
        for key in ("since_id", "until_id"):
            if key in q and int(q[key]) < self.oldest_valid_id:
                return (
                    f"Invalid '{key}':'{q[key]}'. '{key}' must be a tweet id created after {week_ago:%Y-%m-%dT%H:%MZ}."
                )
        if "start_time" in q and datetime.fromisoformat(q["start_time"].replace("Z", "+00:00")) < week_ago:
            return (
                f"Invalid 'start_time':'{q['start_time']}'. 'start_time' must be on or after {week_ago:%Y-%m-%dT%H:%MZ}"
            )
        if not q.get("query"):
            return "The `query` query parameter can not be empty"
        if len(q["query"]) > 512:
            return f"The `query` param is {len(q['query'])} characters long; the maximum is 512"
        if not 10 <= int(q.get("max_results", 10)) <= 100:
            return "The `max_results` query parameter value is not between 10 and 100"
        return None

    def _matches(self, query: str) -> Callable[[dict[str, Any]], bool]:
        def term(token: str) -> Callable[[dict[str, Any]], bool]:
            if token.startswith("from:"):
                return lambda t: self.users[t["author_id"]]["username"].lower() == token[5:].lower()
            if token.startswith("lang:"):
                return lambda t: t["lang"] == token[5:]
            if token.startswith("is:"):
                kind = {"retweet": "retweeted", "reply": "replied_to", "quote": "quoted"}[token[3:]]
                return lambda t: any(r["type"] == kind for r in t.get("referenced_tweets", []))
            return lambda t: text_term(token, t["text"])

        return compile_query(query, term)

    def _search(self, q: dict[str, str]) -> dict[str, Any]:
        match = self._matches(q["query"])
        floor = int(q.get("since_id", 0))
        ceiling = int(q.get("until_id", 10**30))
        if q.get("next_token"):
            ceiling = min(ceiling, int(q["next_token"][1:]))
        start = datetime.fromisoformat(q["start_time"].replace("Z", "+00:00")) if "start_time" in q else None
        hits = [
            t
            for t in sorted(self.tweets, key=lambda t: -int(t["id"]))
            if floor < int(t["id"]) < ceiling
            and match(t)
            and (start is None or datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) >= start)
        ]
        size = int(q.get("max_results", 10))
        page, more = hits[:size], len(hits) > size
        if not page:
            return {"meta": {"result_count": 0}}
        meta = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if more:
            meta["next_token"] = "b" + page[-1]["id"]
        body: dict[str, Any] = {
            "data": [self._shape(t, q.get("tweet.fields", "")) for t in page],
            "meta": meta,
        }
        self._expand(body, page, q)
        return body

    @staticmethod
    def _shape(
        obj: dict[str, Any], fields: str, always: tuple[str, ...] = ("id", "text", "edit_history_tweet_ids")
    ) -> dict[str, Any]:
        wanted = set(always) | set(filter(None, fields.split(",")))
        return {k: v for k, v in obj.items() if k in wanted}

    def _expand(self, body: dict[str, Any], page: list[dict[str, Any]], q: dict[str, str]) -> None:
        expansions = set(q.get("expansions", "").split(","))
        includes: dict[str, list[dict[str, Any]]] = {}
        errors = list(self.partial_errors)
        if "author_id" in expansions:
            ids = dict.fromkeys(t["author_id"] for t in page)
            includes["users"] = [
                self._shape(self.users[i], q.get("user.fields", ""), ("id", "name", "username")) for i in ids
            ]
        if "referenced_tweets.id" in expansions:
            by_id = {t["id"]: t for t in self.tweets}
            for ref in dict.fromkeys(r["id"] for t in page for r in t.get("referenced_tweets", [])):
                if ref in by_id:
                    includes.setdefault("tweets", []).append(self._shape(by_id[ref], q.get("tweet.fields", "")))
                else:
                    errors.append(
                        {
                            "value": ref,
                            "detail": f"Could not find tweet with referenced_tweets.id: [{ref}].",
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "referenced_tweets.id",
                            "resource_id": ref,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    )
        if includes:
            body["includes"] = includes
        if errors:
            body["errors"] = errors

    def search_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path == "/2/tweets/search/recent"]
