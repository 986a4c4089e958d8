"""What a newcomer's file gets wrong before any row is read: not UTF-8, tab-separated, columns under other names.

Each is one plain line naming the file and the fix (``score`` and ``backtest``); without these checks a Latin-1
file was read with replacement characters (a French post scored as Catalan), a UTF-16 file or a tab-separated
``.csv`` said "missing field 'id'", and a column called ``author`` was silently ignored (every post from one
unknown person, so nothing alerted).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import json
from pathlib import Path

# What connectors.replay reads (and the backtest's brand column): every other column is ignored.
REPLAY_FIELDS = ("id", "text", "posted_at", "platform", "author_id", "author_handle", "author_name",
                 "author_followers", "url", "lang", "reposts", "likes", "replies", "quotes", "conversation_id",
                 "parent_id", "quoted_id", "reposted_id", "local_id", "is_brand_reply", "brand")
REQUIRED = ("id", "text", "posted_at")
# Names people export under, and the column that holds the same thing here.
ALIASES = {"author": "author_handle", "user": "author_handle", "username": "author_handle",
           "user_name": "author_handle", "screen_name": "author_handle", "handle": "author_handle",
           "followers": "author_followers", "follower_count": "author_followers", "date": "posted_at",
           "time": "posted_at", "timestamp": "posted_at", "created_at": "posted_at", "created": "posted_at",
           "datetime": "posted_at", "body": "text", "content": "text", "message": "text", "tweet": "text",
           "post": "text", "language": "lang", "link": "url", "permalink": "url", "retweets": "reposts",
           "shares": "reposts", "comments": "replies", "company": "brand"}
_CHUNK = 1 << 20
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"), (codecs.BOM_UTF16_LE, "UTF-16"),
         (codecs.BOM_UTF16_BE, "UTF-16"))


def encoding_problem(path: Path) -> str | None:
    """Why ``path`` is not UTF-8 text (naming the line), or None; read in chunks, so memory stays flat."""
    save = (f"save it as UTF-8 (in Excel: \"CSV UTF-8\"), or convert it: iconv -f WINDOWS-1252 -t UTF-8 "
            f"{path.name} > {path.stem}-utf8{path.suffix}")
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        head = handle.read(4)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return f"{path.name} is {name} text, not UTF-8: save it as UTF-8 (in Excel: \"CSV UTF-8\")"
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[:max(exc.start, 0)].count(b"\n")
                byte = chunk[exc.start] if 0 <= exc.start < len(chunk) else 0
                return f"{path.name} line {line} is not UTF-8 text (byte 0x{byte:02x}): {save}"
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"{path.name} ends in the middle of a character: it is not UTF-8 text: {save}"
    return None


def _shown(name: str) -> str:
    """A column name as it may be printed: the file's own words, without escape sequences or controls."""
    from alerts.escape import terminal

    return terminal(name, 60)


def header(path: Path) -> list[str]:
    """A CSV file's column names, or the keys of a JSONL file's first object ([] when there is none)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        if path.suffix.lower() in (".csv", ".tsv"):
            return [name.strip() for name in next(csv.reader([handle.readline()]), [])]
        for text in handle:
            if text.strip():
                try:
                    row = json.loads(text)
                except ValueError:
                    return []
                return [str(key) for key in row] if isinstance(row, dict) else []
    return []


SPREADSHEETS = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")


def spreadsheet(path: Path) -> str | None:
    """The fix for a spreadsheet file, or None: backtest read an .xlsx as JSON lines ("no usable rows")."""
    if path.suffix.lower() not in SPREADSHEETS:
        return None
    return (f"{_shown(path.name)} is a spreadsheet: save it as CSV (in Excel: Save as, \"CSV UTF-8\"; in Google "
            "Sheets: Download, \"Comma-separated values\") and give that file")


def json_array(path: Path) -> str | None:
    """The fix for a file that is one JSON array (an API's or a tool's export) rather than one object a line, or
    None: it read as "line 1: not valid JSON (Expecting value)" or "expected an object" on every line."""
    if path.suffix.lower() in (".csv", ".tsv"):
        return None
    with path.open("rb") as handle:
        start = handle.read(_CHUNK).lstrip(codecs.BOM_UTF8).lstrip()
    if not start.startswith(b"["):
        return None
    name = path.stem + ".jsonl" if path.suffix.lower() != ".jsonl" else path.stem + "-lines.jsonl"
    return (f"{path.name} is one JSON array, not JSON Lines: write one object per line, e.g. "
            f"jq -c '.[]' {path.name} > {name}")


def tab_separated(path: Path, columns: list[str]) -> str | None:
    """The fix for a tab-separated file, which the replay reads as one column (or as JSON), or None."""
    tabbed = path.suffix.lower() == ".tsv" or (len(columns) == 1 and "\t" in columns[0])
    if not tabbed:
        return None
    return (f"{path.name} is tab-separated: backtest reads comma-separated .csv or .jsonl; save it as CSV "
            "(in a spreadsheet: Save as, \"CSV UTF-8\")")


def suggestion(column: str, wanted: tuple[str, ...] = REPLAY_FIELDS) -> str | None:
    """The column this one probably meant (an export's usual name, or a near spelling), or None."""
    name = column.strip().lower()
    if name in ALIASES and ALIASES[name] in wanted:
        return ALIASES[name]
    close = difflib.get_close_matches(name, wanted, n=1, cutoff=0.75)
    return close[0] if close else None


def missing_columns(path: Path, columns: list[str]) -> str | None:
    """For a CSV file whose header lacks id, text or posted_at: one line naming them and the likely ones."""
    if path.suffix.lower() != ".csv" or not columns:
        return None
    missing = [name for name in REQUIRED if name not in columns]
    if not missing:
        return None
    guesses = {want: have for have in columns for want in missing if suggestion(have, REQUIRED) == want}
    hint = "; ".join(f"rename {_shown(guesses[m])} to {m}" for m in missing if m in guesses)
    shown = ", ".join(map(_shown, columns[:20]))
    return (f"{path.name} has no {' or '.join(missing)} column (its columns: {shown}); every row "
            f"needs id, text and posted_at" + (f": {hint}" if hint else ""))


def notes(columns: list[str]) -> list[str]:
    """Notes on a sound file: the columns the replay ignores (with the name each probably meant), and no author."""
    found = []
    unread = [name for name in columns if name not in REPLAY_FIELDS]
    if unread:
        parts = []
        for name in unread[:12]:
            meant = suggestion(name)
            parts.append(f"{_shown(name)} (did you mean {meant}?)" if meant else _shown(name))
        more = f" and {len(unread) - 12} more" if len(unread) > 12 else ""
        found.append(f"note: columns not read: {', '.join(parts)}{more}")
    if columns and not {"author_id", "author_handle"} & set(columns):
        found.append("note: no author_handle or author_id column: every post counts as one unknown person, so "
                     "alerts that count people (a spike, a story) may never open")
    return found


def naive_times(path: Path, rows: int = 50) -> str | None:
    """A note when the first rows' posted_at carry no timezone: they are read as UTC, so a file exported in
    local time (a spreadsheet's "2026-11-01 10:00") shifted every alert by the offset without a word."""
    from datetime import datetime

    for value in _first_times(path, rows):
        if not isinstance(value, str):
            continue
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None:
            return (f"note: posted_at has no timezone ({_shown(value)}): read as UTC; if the times are local, "
                    "add their offset (2026-11-01T10:00:00+01:00) or convert them to UTC (...Z)")
    return None


def _first_times(path: Path, rows: int) -> list[object]:
    """The posted_at of the first rows that read (a broken row is the replay's to report, not this note's)."""
    values: list[object] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        if path.suffix.lower() == ".csv":
            try:
                for row, _ in zip(csv.DictReader(handle), range(rows), strict=False):
                    values.append(row.get("posted_at"))
            except csv.Error:
                pass
            return values
        for text, _ in zip(handle, range(rows), strict=False):
            try:
                record = json.loads(text)
            except ValueError:
                continue
            values.append(record.get("posted_at") if isinstance(record, dict) else None)
    return values
