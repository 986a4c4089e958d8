"""CSV and JSON exports of the filtered mention stream; CSV cells cannot start a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from monitor.clock import as_utc
from monitor.storage.tables import Mention

COLUMNS = ("id", "brand_id", "platform", "posted_at", "author_handle", "author_followers", "sentiment",
           "p_negative", "category", "lang", "url", "text")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def row(mention: Mention) -> dict[str, Any]:
    category = ((mention.signals or {}).get("category") or {}).get("value")
    return {"id": mention.id, "brand_id": mention.brand_id, "platform": mention.platform,
            "posted_at": as_utc(mention.posted_at).isoformat(), "author_handle": mention.author_handle,
            "author_followers": mention.author_followers, "sentiment": mention.sentiment,
            "p_negative": mention.p_negative, "category": category, "lang": mention.lang, "url": mention.url,
            "text": mention.text}


def neutralise(value: Any) -> str:
    """OWASP's CSV-injection defence: a cell a spreadsheet would run as a formula gets a leading quote."""
    text = "" if value is None else str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(mentions: Iterable[Mention]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for mention in mentions:
        values = row(mention)
        writer.writerow([neutralise(values[column]) for column in COLUMNS])
    return out.getvalue()


def to_json(mentions: Iterable[Mention]) -> str:
    return json.dumps([row(m) for m in mentions], ensure_ascii=False, indent=1)
