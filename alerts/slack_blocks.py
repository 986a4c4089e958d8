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
from alerts.render import CHANGE_CHARS, SEVERITY_EMOJI, AlertView, ExampleView, subject_line

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


def _button(text: str, action_id: str, value: str, style: str = "") -> Block:
    button: Block = {"type": "button", "action_id": action_id, "value": value,
                     "text": {"type": "plain_text", "text": text, "emoji": True}}
    return {**button, "style": style} if style else button


def action_block(view: AlertView, incident_url: str = "") -> Block:
    """Acknowledge, Snooze 4h, Useful, Noise (answered by the Socket Mode listener) and Open in Groundswell.

    Each button's value is ``incident:alert``; the listener checks both before it records anything.
    """
    value = f"{view.incident_id}:{view.alert_id}"
    buttons: list[Block] = []
    if view.event not in ("acknowledged", "resolved"):
        buttons.append(_button("Acknowledge", "gs_ack", value, "primary"))
    if view.event != "resolved":
        buttons.append(_button("Snooze 4h", "gs_snooze", value))
    buttons += [_button("Useful", "gs_useful", value), _button("Noise", "gs_noise", value)]
    if incident_url.startswith(("https://", "http://")):
        buttons.append({**_button("Open in Groundswell", "gs_open", value), "url": incident_url[:3000]})
    return {"type": "actions", "block_id": f"gs_actions_{view.incident_id}", "elements": buttons}


def alert_blocks(view: AlertView, *, compact: bool = False, actions: Block | None = None) -> list[Block]:
    """Header, story + change, numbers, distinct examples, footer; ``compact`` keeps header, story, footer.

    ``actions`` (the buttons, for a Slack app that listens to them) goes above the footer."""
    story = f"*{_mrk(view.headline or view.title, 300)}*"
    if view.change:
        story += f"\n_{_mrk(view.change, CHANGE_CHARS)}_"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": header_text(view), "emoji": True}},
        _section(story),
    ]
    details = f"Incident #{view.incident_id} · details: `groundswell incidents show {view.incident_id}`"
    hint = ("" if view.event in ("acknowledged", "resolved") or actions is not None
            else f" · I'm on it: `groundswell incidents ack {view.incident_id}`")
    tail = [_context(details + hint)] if actions is None else [actions, _context(details)]
    if not view.incident_id:  # a test message belongs to no incident: nothing to show or acknowledge
        tail = []
    if compact:
        return [*blocks, *tail]
    blocks.append(_context(numbers_line(view), breakdown_text("Categories", view.categories[:3]),
                           breakdown_text("Platforms", view.platforms[:3])))
    if view.examples:
        blocks.append(_section("\n".join(example_line(e) for e in view.examples)))
    return [*blocks, *tail]
