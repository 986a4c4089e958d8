"""Block Kit for an alert: shared by the bot-token (slack.py) and incoming-webhook channels.

Compact by design (a marketer reads it in five seconds): a header, the story in one line with what
changed, one line of numbers, two or three distinct examples as short quotes, and a footer pointing
at ``groundswell incidents show N`` for the full detail.

Every string that came from a post, a person or a config goes through ``alerts.escape`` here, so
mention text can never become ``<!channel>`` or a disguised link. The fallback ``text`` is always set
(notifications, screen readers and old clients show only that).
"""

from __future__ import annotations

from typing import Any

from alerts.escape import slack_link, slack_plain, slack_text
from alerts.render import SEVERITY_EMOJI, AlertView, ExampleView, subject_line

Block = dict[str, Any]
MRKDWN_LIMIT = 2900  # Slack's section text limit is 3000
QUOTE_LIMIT = 160  # an example is one line, not a wall of text


def _mrk(text: str, limit: int = MRKDWN_LIMIT) -> str:
    return slack_text(text, limit)


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(*parts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": p} for p in parts if p][:10]}


def header_text(view: AlertView) -> str:
    emoji = SEVERITY_EMOJI.get(view.severity, ":white_circle:")
    lead = "" if view.event == "opened" else f"{view.event_label.upper()} · "
    return slack_plain(f"{emoji} {lead}{view.severity_name.upper()} · {view.brand}", 150)


def fallback_text(view: AlertView) -> str:
    """The message's ``text``: shown in notifications and wherever blocks are not rendered."""
    change = f" - {view.change}" if view.change else ""
    return _mrk(f"{subject_line(view)}{change}", 600)


def example_line(example: ExampleView) -> str:
    """One quoted line: the words, then who said it (linked) and their reach."""
    who = slack_link(example.url, f"@{example.author}") if example.url else _mrk(f"@{example.author}", 80)
    reach = f" ({_mrk(example.reach, 40)})" if example.reach else ""
    return f">{_mrk(example.text, QUOTE_LIMIT)}\n>— {who}{reach}"


def example_block(example: ExampleView) -> Block:
    return _section(example_line(example))


def numbers_line(view: AlertView) -> str:
    """People 86 · Reach 1.2M · 12x vs normal · since Sat 7 Nov 18:30 GMT · spike + story."""
    parts = [f"*{_mrk(label, 40)}* {_mrk(value, 60)}" for label, value in view.facts]
    parts.append(f"since {_mrk(view.opened_at, 60)}")
    if view.facets:
        parts.append(_mrk(view.facets, 200))
    return " · ".join(parts)


def breakdown_text(label: str, pairs: list[tuple[str, int]]) -> str:
    items = [f"{_mrk(name, 40)} {n}" if n else _mrk(name, 40) for name, n in pairs]
    return f"*{label}:* " + ", ".join(items) if items else ""


def alert_blocks(view: AlertView, *, compact: bool = False) -> list[Block]:
    """Header, story + change, numbers, distinct examples, footer; ``compact`` keeps header, story, footer."""
    story = f"*{_mrk(view.headline or view.title, 300)}*"
    if view.change:
        story += f"\n_{_mrk(view.change, 300)}_"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": header_text(view), "emoji": True}},
        _section(story),
    ]
    hint = ("" if view.event in ("acknowledged", "resolved")
            else f" · I'm on it: `groundswell incidents ack {view.incident_id}`")
    footer = _context(f"Incident #{view.incident_id} · details: `groundswell incidents show {view.incident_id}`{hint}")
    if compact:
        return [*blocks, footer]
    blocks.append(_context(numbers_line(view), breakdown_text("Categories", view.categories[:3]),
                           breakdown_text("Platforms", view.platforms[:3])))
    if view.examples:
        blocks.append(_section("\n".join(example_line(e) for e in view.examples)))
    return [*blocks, footer]
