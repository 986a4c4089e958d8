"""A fake feed host: RSS 2.0 and Atom documents with ETag/Last-Modified and 304s, Google Alerts-style links.

``/rss/<name>`` serves RSS 2.0, ``/atom/<name>`` Atom 1.0 (Google Alerts publishes Atom, with every link
wrapped as ``https://www.google.com/url?rct=j&sa=t&url=REAL&...``).  Entries are listed newest first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from tests.fakes import FakeAPI, Reply, Request


class FakeFeeds(FakeAPI):
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.changed: dict[str, datetime] = {}
        self.raw: dict[str, bytes] = {}  # name -> body served as-is (malformed feeds)
        self._count = 0

    def add_entry(self, feed: str, title: str, *, summary: str = "", link: str = "", author: str = "",
                  age: timedelta = timedelta(minutes=1), google: bool = False, no_guid: bool = False) -> str:
        """Add one entry; returns the id a connector should report (the guid; the real link with ``no_guid``)."""
        self._count += 1
        guid = None if no_guid else f"tag:news.example.com,2026:{feed}/{self._count}"
        real = link or f"https://news.example.com/{feed}/{self._count}"
        shown = (f"https://www.google.com/url?rct=j&sa=t&url={quote(real, safe='')}&ct=ga&cd=CAE&usg=AOv"
                 if google else real)
        entry = {"title": title, "summary": summary, "link": shown, "author": author,
                 "published": self.clock() - age, "guid": guid}
        self.entries.setdefault(feed, []).insert(0, entry)
        self.changed[feed] = self.clock()
        return guid or real

    def etag(self, feed: str) -> str:
        body = repr(self.entries.get(feed)).encode()
        return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

    def route(self, req: Request) -> Reply:
        kind, _, name = req.path.strip("/").partition("/")
        if name in self.raw:
            return Reply(200, self.raw[name], {"content-type": "application/rss+xml"})
        if kind not in ("rss", "atom") or name not in self.entries:
            return Reply(404, b"<html><body>Not Found</body></html>", {"content-type": "text/html"})
        etag = self.etag(name)
        modified = format_datetime(self.changed[name].astimezone(UTC), usegmt=True)
        validators = {"etag": etag, "last-modified": modified}
        if req.headers.get("if-none-match") == etag:
            return Reply(304, b"", validators)
        body = (self._rss if kind == "rss" else self._atom)(name)
        ctype = "application/rss+xml" if kind == "rss" else "application/atom+xml"
        return Reply(200, body.encode(), {"content-type": f"{ctype}; charset=utf-8", **validators})

    def fault_reply(self, kind: str, req: Request) -> Reply:
        headers = {"content-type": "text/html"}
        if kind in ("429", "503"):
            headers["retry-after"] = "120"
        return Reply(int(kind), f"<html><body>error {kind}</body></html>".encode(), headers)

    def _rss(self, name: str) -> str:
        items = []
        for e in self.entries[name]:
            guid = f"<guid isPermaLink=\"false\">{escape(e['guid'])}</guid>" if e["guid"] else ""
            author = f"<dc:creator>{escape(e['author'])}</dc:creator>" if e["author"] else ""
            items.append(f"<item><title>{escape(e['title'])}</title><link>{escape(e['link'])}</link>{guid}"
                         f"<description>{escape(e['summary'])}</description>{author}"
                         f"<pubDate>{format_datetime(e['published'].astimezone(UTC), usegmt=True)}</pubDate></item>")
        return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                f"<title>{escape(name)} news</title><link>https://news.example.com/</link>"
                f"<description>x</description>{''.join(items)}</channel></rss>")

    def _atom(self, name: str) -> str:
        entries = []
        for e in self.entries[name]:
            ident = e["guid"] or e["link"]  # Atom requires an id
            stamp = e["published"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            entries.append(f"<entry><id>{escape(ident)}</id><title type=\"html\">{escape(e['title'])}</title>"
                           f"<link href=\"{escape(e['link'])}\"/><published>{stamp}</published>"
                           f"<updated>{stamp}</updated><content type=\"html\">{escape(e['summary'])}</content>"
                           "<author><name></name></author></entry>")
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<id>tag:google.com,2005:reader/user/0/state/com.google/alerts/{escape(name)}</id>"
                f"<title>Google Alert - {escape(name)}</title><link href=\"https://www.google.com/alerts/feeds/0/1\""
                f" rel=\"self\"/><updated>{self.clock().strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
                f"{''.join(entries)}</feed>")
