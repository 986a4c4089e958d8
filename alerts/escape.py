"""Make untrusted mention text harmless before a channel renders it.

Mention text is written by strangers. In Slack mrkdwn, ``<!channel>``, ``<!here>``, ``<@U123>`` and
``<http://evil|click>`` are control sequences: unescaped, a tweet could ping a whole workspace or dress a
phishing link as our own. So Slack text goes through :func:`slack_text` (escapes ``&``, ``<``, ``>``
and defuses bare ``@channel``-style words); every text also loses terminal escape sequences (ANSI
CSI/OSC: colours, titles, hyperlinks), control characters and bidi overrides and marks (which can hide
or reorder what a reader sees) and is truncated. HTML is escaped by Jinja2 autoescape.

Where each kind of output gets it: Slack :func:`slack_text`/:func:`slack_plain`, HTML and email
subjects :func:`clean` (``render.py``, the digest templates), spreadsheets :func:`csv_cell` (no cell
may start a formula), terminals :func:`terminal` (the console channel, ``incidents`` commands).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Whole escape sequences first (removing only ESC would leave "[31m" or an OSC payload behind):
# CSI, OSC (titles, hyperlinks) and DCS/SOS/PM/APC strings, then any other two-byte escape.
_ESCAPE_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                        r"|\x1b[PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?")
# C0 controls except TAB and LF, DEL, C1 controls, the bidi embeddings/overrides/isolates and marks.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SPACES_RE = re.compile(r"\s+")
_BROADCAST_RE = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_WORD_JOINER = "\u2060"
ELLIPSIS = "\u2026"
MAX_LINK_URL = 500


def strip_controls(text: str) -> str:
    """Remove escape sequences, control and bidi characters; keep tabs and newlines (CR becomes LF)."""
    text = _ESCAPE_RE.sub("", text) if "\x1b" in text else text
    return _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces: for headers, subjects, quotes."""
    return _SPACES_RE.sub(" ", strip_controls(text)).strip()


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, on a word boundary when one is near, with an ellipsis."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= int(limit * 0.8):
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def clean(text: str, limit: int = 500, *, single_line: bool = False) -> str:
    """Plain-text helper: strip controls, optionally flatten to one line, truncate."""
    text = one_line(text) if single_line else strip_controls(text).strip()
    return truncate(text, limit)


def terminal(text: str, limit: int = 500, *, single_line: bool = True) -> str:
    """Untrusted text for a terminal: no escape sequences or controls, one line unless asked. Print it with
    ``markup=False`` (or as a rich ``Text``) so square brackets are not read as markup."""
    return clean(text, limit, single_line=single_line)


def csv_cell(value: object, limit: int = 5000) -> str:
    """Untrusted text for a CSV cell that a spreadsheet will open (OWASP CSV injection): cleaned, and a
    leading ``= + - @`` (or tab/CR) is prefixed with ``'`` so it is shown as text, never run as a formula."""
    text = clean("" if value is None else str(value), limit)
    if text.lstrip(" ").startswith(_FORMULA_START):
        text = "'" + text
    return text


def slack_escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control syntax (``&`` first)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(text: str, limit: int = 500, *, single_line: bool = False) -> str:
    """Untrusted text ready for a Slack mrkdwn field: cleaned, truncated, escaped, broadcasts defused.

    Truncation happens before escaping so an entity such as ``&amp;`` is never cut in half.
    """
    cleaned = clean(text, limit, single_line=single_line)
    out = _slack_final(cleaned)
    if len(out) <= limit:
        return out
    # Escaping grew the text past the limit (``&`` becomes 5 characters): cut the source shorter.
    low, high = 0, len(cleaned)
    while low < high:
        mid = (low + high + 1) // 2
        if len(_slack_final(cleaned[:mid].rstrip() + ELLIPSIS)) <= limit:
            low = mid
        else:
            high = mid - 1
    return _slack_final(cleaned[:low].rstrip() + ELLIPSIS) if low else ""


def _slack_final(text: str) -> str:
    return _BROADCAST_RE.sub(lambda m: "@" + _WORD_JOINER + m.group(1), slack_escape(text))


def slack_plain(text: str, limit: int = 150) -> str:
    """Text for a Slack ``plain_text`` object (headers): not parsed as mrkdwn, so only clean and cut."""
    return _BROADCAST_RE.sub(lambda m: "@" + _WORD_JOINER + m.group(1), clean(text, limit, single_line=True))


def safe_url(url: str | None) -> str:
    """Return ``url`` if it is an absolute http(s) URL without whitespace or controls, else ``""``.

    A ``javascript:`` or ``data:`` link from a hostile post must never become clickable.
    """
    if not url:
        return ""
    url = url.strip()
    if _CONTROL_RE.search(url) or any(ch.isspace() for ch in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return ""
    return url


def slack_link(url: str | None, label: str, limit: int = 80) -> str:
    """A Slack ``<url|label>`` link with both halves escaped; just the escaped label if the URL is unsafe."""
    shown = slack_text(label, limit, single_line=True)
    target = safe_url(url)
    if not target or len(target) > MAX_LINK_URL:  # an absurd URL would overflow Slack's block limits
        return shown
    target = slack_escape(target).replace("|", "%7C")
    return f"<{target}|{shown}>" if shown else f"<{target}>"


_MARKUP_OPEN_RE = re.compile(r"<(?=[!@#/A-Za-z])")


def defuse_mentions(text: str) -> str:
    """For media whose markup we do not know (Apprise targets: Discord, Teams...): break ``@everyone``,
    ``@here``, ``@channel``, ``<@id>``, ``<!here>``, ``<http://x|y>`` and HTML tags with an invisible
    word joiner after ``@`` or ``<``; the text reads the same but no markup interprets it."""
    text = _BROADCAST_RE.sub(lambda m: "@" + _WORD_JOINER + m.group(1), text)
    return _MARKUP_OPEN_RE.sub("<" + _WORD_JOINER, text)
