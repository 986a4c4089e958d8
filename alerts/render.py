"""Shared rendering: one view of an AlertMessage that every channel formats for its medium.

``alert_view`` cleans and truncates the untrusted parts once (control characters gone, unsafe URLs
dropped) and reads ``message.counts`` leniently, so Slack, email and webhooks show the same evidence.
HTML templates are autoescaped (``*.html.j2``); text templates are not, and must never be served as HTML.

``message.counts`` may hold scalars shown as facts in plain words (``people``/``authors``, ``mentions``,
``reach``, ``growth``, ``expected``, ``negative_share``; anything else is internal and not shown), and
``categories`` / ``platforms`` as ``{name: count}`` or ``[[name, count], ...]`` or ``[name, ...]``.
Times are shown in the brand's timezone; near-duplicate examples are folded so the two or three shown
say different things.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from alerts.base import AlertMessage, ExamplePost
from alerts.escape import clean, safe_url

if TYPE_CHECKING:  # imported when a template is first rendered: `incidents show` needs followers_text only
    from jinja2 import Environment

SEVERITY_EMOJI = {1: ":large_blue_circle:", 2: ":large_yellow_circle:", 3: ":red_circle:",
                  4: ":rotating_light:"}
SEVERITY_COLOR = {1: "#2f80ed", 2: "#f2c94c", 3: "#eb5757", 4: "#9b1c1c"}
EVENT_LABEL = {"opened": "New incident", "escalated": "Escalated", "updated": "Update",
               "joined": "Big customer joined", "resolved": "Resolved",
               "acknowledged": "Acknowledged", "snoozed": "Snoozed", "woke": "Snooze over",
               "unacknowledged": "Not acknowledged", "test": "Test message"}
BREAKDOWN_KEYS = ("categories", "platforms")
FACT_LABELS = {"people": "People", "authors": "People", "mentions": "Mentions", "reach": "Reach",
               "growth": "vs normal", "expected": "Usually", "negative_share": "Negative share"}
PLAIN_TRIGGERS = {"spike": "negative mentions spiking", "story": "one complaint repeated by many people",
                  "churn_threat": "a customer threatening to leave", "high_reach": "a complaint from a big account",
                  "repeat_complainer": "a customer complaining again and again",
                  "source_down": "a source not collecting"}
MAX_EXAMPLES = 3
CHANGE_CHARS = 1000  # "what changed": one line, long enough to name every big customer of a folded update
_TOKEN = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class ExampleView:
    text: str
    url: str
    author: str
    reach: str
    platform: str
    posted_at: str
    sentiment: str


@dataclass(frozen=True)
class AlertView:
    event: str
    event_label: str
    severity: int
    severity_name: str
    color: str
    brand: str
    title: str
    reason: str
    trigger: str
    opened_at: str
    incident_id: int
    alert_id: int
    facts: list[tuple[str, str]]
    categories: list[tuple[str, int]]
    platforms: list[tuple[str, int]]
    examples: list[ExampleView]
    headline: str = ""
    change: str = ""
    facets: str = ""  # plain words: "negative mentions spiking + one complaint repeated by many people"


def format_count(value: Any) -> str:
    """12345 -> "12.3k": reach and follower counts read at a glance."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return clean(str(value), 40, single_line=True)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}" if abs(value) < 1 else f"{value:,.1f}"
    number = int(value)
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(number) >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(number)


def followers_text(followers: int | None) -> str:
    """The one way follower counts are shown everywhere (alerts, digest, CLI): "120.5k followers"."""
    if followers is None:
        return ""
    return "1 follower" if followers == 1 else f"{format_count(followers)} followers"


def format_time(when: datetime, timezone: str = "UTC") -> str:
    """"Sat 7 Nov 18:30 GMT": the brand's local time, with its zone so nobody converts from UTC."""
    try:
        local = when.astimezone(ZoneInfo(timezone)) if when.tzinfo else when
    except (KeyError, ValueError):
        local = when
    return f"{local:%a} {local.day} {local:%b %H:%M %Z}".strip()


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(re.sub(r"https?://\S+|[@#]\w+", " ", text.lower())))


def distinct(posts: Iterable[ExamplePost], limit: int = MAX_EXAMPLES, overlap: float = 0.5) -> list[ExamplePost]:
    """Up to ``limit`` posts that say different things: a post whose words overlap an earlier pick's by
    ``overlap`` (Jaccard) or more is a near-duplicate and folded."""
    picked: list[tuple[ExamplePost, set[str]]] = []
    for post in posts:
        words = _tokens(post.text)
        if any(len(words & seen) / max(len(words | seen), 1) >= overlap for _, seen in picked):
            continue
        picked.append((post, words))
        if len(picked) >= limit:
            break
    return [post for post, _ in picked]


def plain_facets(facets: Iterable[str]) -> str:
    return " + ".join(clean(PLAIN_TRIGGERS.get(f, f.replace("_", " ")), 60, single_line=True) for f in facets)


def breakdown(raw: Any, limit: int = 8) -> list[tuple[str, int]]:
    """Read a category/platform breakdown in any of the accepted shapes, largest first."""
    pairs: Iterable[Any]
    if isinstance(raw, dict):
        pairs = raw.items()
    elif isinstance(raw, list | tuple):
        pairs = [item if isinstance(item, list | tuple) else (item, 0) for item in raw]
    else:
        return []
    out: list[tuple[str, int]] = []
    for item in pairs:
        if len(item) != 2:
            continue
        name, count = item
        try:
            number = int(count)
        except (TypeError, ValueError):
            number = 0
        out.append((clean(str(name), 40, single_line=True), number))
    out.sort(key=lambda pair: -pair[1])
    return out[:limit]


def facts(counts: dict[str, Any], limit: int = 8) -> list[tuple[str, str]]:
    """Scalar counts as (label, value) pairs, known keys first in a stable order."""
    keys = [k for k in FACT_LABELS if k in counts] + sorted(k for k in counts if k not in FACT_LABELS)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key in keys:
        value = counts[key]
        if key in BREAKDOWN_KEYS or isinstance(value, dict | list | tuple) or value is None:
            continue
        if key not in FACT_LABELS or FACT_LABELS[key] in seen:
            continue  # internal numbers (scores, thresholds, weights) stay in `incidents show`
        seen.add(FACT_LABELS[key])
        if key == "negative_share" and isinstance(value, float) and value <= 1:
            shown = f"{value:.0%}"
        elif key == "growth" and isinstance(value, int | float):
            shown = f"{value:.0f}x"
        else:
            shown = format_count(value)
        out.append((FACT_LABELS[key], shown))
    return out[:limit]


def example_view(post: ExamplePost, text_limit: int = 280, timezone: str = "UTC") -> ExampleView:
    return ExampleView(
        text=clean(post.text, text_limit, single_line=True),
        url=safe_url(post.url),
        author=clean(post.author, 60, single_line=True),
        reach=followers_text(post.followers),
        platform=clean(post.platform, 30, single_line=True),
        posted_at=format_time(post.posted_at, timezone),
        sentiment=clean(post.sentiment or "", 20, single_line=True),
    )


def alert_view(message: AlertMessage, *, max_examples: int = MAX_EXAMPLES, text_limit: int = 280) -> AlertView:
    """The cleaned, medium-neutral view of a message (still needs escaping for HTML/Slack)."""
    tz = message.timezone
    posts = distinct(message.examples, min(max_examples, MAX_EXAMPLES))
    headline = message.headline or f"{message.title}: {message.reason}"
    return AlertView(
        event=message.event,
        event_label=EVENT_LABEL.get(message.event, clean(message.event, 30, single_line=True).capitalize()),
        severity=message.severity,
        severity_name=message.severity_name,
        color=SEVERITY_COLOR.get(message.severity, "#828282"),
        brand=clean(message.brand_name, 80, single_line=True),
        title=clean(message.title, 200, single_line=True),
        reason=clean(message.reason, 1000),
        trigger=clean(PLAIN_TRIGGERS.get(message.trigger, message.trigger.replace("_", " ")), 60, single_line=True),
        opened_at=format_time(message.opened_at, tz),
        incident_id=message.incident_id,
        alert_id=message.alert_id,
        facts=[] if message.trigger == "source_down" else facts(message.counts),
        categories=breakdown(message.counts.get("categories")),
        platforms=breakdown(message.counts.get("platforms")),
        examples=[example_view(p, text_limit, tz) for p in posts],
        headline=clean(headline, 300, single_line=True),
        change=clean(message.change, CHANGE_CHARS, single_line=True),
        facets=plain_facets(message.facets or (message.trigger,)),
    )


def subject_line(view: AlertView, prefix: str = "") -> str:
    """One-line summary used as email subject and as the start of Slack's fallback text."""
    lead = "" if view.event == "opened" else f"{view.event_label}: "
    text = f"{lead}[{view.severity_name.upper()}] {view.brand}: {view.headline or view.title}"
    return clean(f"{prefix} {text}" if prefix else text, 200, single_line=True)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Jinja2 environment over alerts/templates; ``*.html.j2`` autoescaped, undefined names are errors."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["count"] = format_count
    return env


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def render_text(view: AlertView, **extra: Any) -> str:
    return render_template("alert.txt.j2", v=view, **extra)


def render_html(view: AlertView, **extra: Any) -> str:
    return render_template("alert.html.j2", v=view, **extra)
