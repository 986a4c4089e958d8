"""A fake Algolia HN search API: GET /api/v1/search_by_date with query, tags, numericFilters, page, hitsPerPage.

Hits are shaped like Algolia's (``objectID``, ``created_at``/``created_at_i``, ``_tags``, story or comment
fields, ``_highlightResult``), newest first, with ``nbHits``/``nbPages``/``page``; paging stops at 1000 hits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes import FakeAPI, Reply, Request, text_term


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"content-type": "application/json; charset=utf-8",
                                                     **(headers or {})})


class FakeHN(FakeAPI):
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.items: list[dict[str, Any]] = []
        self.odd_hits: list[Any] = []  # served as-is on page 0 (malformed hits)
        self._next = 42_000_000

    def _add(self, item: dict[str, Any], age: timedelta, author: str, kind: str) -> str:
        self._next += 1
        created = (self.clock() - age).astimezone(UTC).replace(microsecond=0)
        ident = str(self._next)
        item.update(objectID=ident, author=author, created_at=created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    created_at_i=int(created.timestamp()), updated_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    _tags=[kind, f"author_{author}", f"story_{item.get('story_id') or ident}"])
        self.items.append(item)
        return ident

    def add_story(self, title: str, *, text: str | None = None, author: str = "pg", points: int = 1,
                  comments: int = 0, age: timedelta = timedelta(minutes=1), url: str | None = None) -> str:
        return self._add({"title": title, "url": url, "story_text": text, "points": points,
                          "num_comments": comments, "children": []}, age, author, "story")

    def add_comment(self, text: str, *, story: str, parent: str | None = None, author: str = "dang",
                    age: timedelta = timedelta(minutes=1)) -> str:
        title = next((i["title"] for i in self.items if i["objectID"] == story), "")
        return self._add({"comment_text": text, "story_id": int(story), "parent_id": int(parent or story),
                          "story_title": title, "story_url": None, "points": None}, age, author, "comment")

    def fault_reply(self, kind: str, req: Request) -> Reply:
        if kind == "429":
            return _json(429, {"message": "Too many requests", "status": 429}, {"retry-after": "60"})
        return _json(int(kind), {"message": "error", "status": int(kind)})

    def route(self, req: Request) -> Reply:
        if req.path != "/api/v1/search_by_date":
            return _json(404, {"message": "Not Found", "status": 404})
        q = req.query
        try:
            hits = [i for i in self.items if self._keep(i, q)]
        except ValueError as exc:
            return _json(400, {"message": str(exc), "status": 400})
        hits.sort(key=lambda i: (-i["created_at_i"], -int(i["objectID"])))
        size, page = int(q.get("hitsPerPage", 20)), int(q.get("page", 0))
        visible = hits[:1000]
        pages = (len(visible) + size - 1) // size
        shown = visible[page * size:(page + 1) * size] + (self.odd_hits if page == 0 else [])
        return _json(200, {"hits": shown, "nbHits": len(hits), "page": page,
                           "nbPages": pages, "hitsPerPage": size, "exhaustiveNbHits": True,
                           "query": q.get("query", ""), "params": "", "processingTimeMS": 1})

    def _keep(self, item: dict[str, Any], q: dict[str, str]) -> bool:
        text = " ".join(str(item.get(k) or "") for k in ("title", "story_text", "comment_text"))
        if not all(text_term(word, text) for word in q.get("query", "").split()):
            return False
        tags = q.get("tags", "")
        if tags:
            wanted = tags.strip("()").split(",")
            if not any(t in item["_tags"] for t in wanted):
                return False
        for clause in filter(None, q.get("numericFilters", "").split(",")):
            match = re.fullmatch(r"(\w+)(<=|>=|<|>|=)(\d+)", clause)
            if not match:
                raise ValueError(f"invalid numericFilters: {clause}")
            field, op, value = match.group(1), match.group(2), int(match.group(3))
            have = int(item.get(field) or 0)
            ok = {"<": have < value, "<=": have <= value, ">": have > value, ">=": have >= value,
                  "=": have == value}[op]
            if not ok:
                return False
        return True
