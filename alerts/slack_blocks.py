"""Block Kit for an alert: shared by the bot-token (slack.py) and incoming-webhook channels.

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
    return _mrk(f"{subject_line(view)} - {view.reason}", 600)


def example_block(example: ExampleView) -> Block:
    who = slack_link(example.url, f"@{example.author}") if example.url else _mrk(f"@{example.author}", 80)
    meta = " · ".join(_mrk(part, 60) for part in (example.platform, example.reach, example.posted_at) if part)
    quote = _mrk(example.text, 600)
    link = f"\n{slack_link(example.url, 'Open post')}" if example.url else ""
    return _section(f"*{who}* · {meta}\n>{quote}{link}")


def breakdown_text(label: str, pairs: list[tuple[str, int]]) -> str:
    items = [f"{_mrk(name, 40)} {n}" if n else _mrk(name, 40) for name, n in pairs]
    return f"*{label}:* " + ", ".join(items) if items else ""


def fact_fields(view: AlertView) -> list[dict[str, str]]:
    pairs = [("Trigger", view.trigger), ("Opened", view.opened_at), *view.facts]
    return [{"type": "mrkdwn", "text": f"*{_mrk(k, 40)}*\n{_mrk(v, 200)}"} for k, v in pairs][:10]


def alert_blocks(view: AlertView, *, compact: bool = False) -> list[Block]:
    """Header, reason, facts, 3-5 examples, breakdowns and a footer; ``compact`` drops the evidence."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": header_text(view), "emoji": True}},
        _section(f"*{_mrk(view.title, 300)}*\n{_mrk(view.reason, 2000)}"),
    ]
    if compact:
        who = next((value for label, value in view.facts if label == view.event_label), "")  # "by alice at ..."
        blocks.append(_context(_mrk(f"{view.event_label} {who}", 300) if who else "",
                               f"Incident #{view.incident_id} · alert {view.alert_id}"))
        return blocks
    blocks.append({"type": "section", "fields": fact_fields(view)})
    if view.examples:
        blocks.append({"type": "divider"})
        blocks.extend(example_block(e) for e in view.examples)
    breakdowns = _context(breakdown_text("Categories", view.categories),
                          breakdown_text("Platforms", view.platforms))
    if breakdowns["elements"]:
        blocks.append(breakdowns)
    hint = ("" if view.event in ("acknowledged", "resolved")
            else f" · acknowledge: `groundswell incidents ack {view.incident_id}`")
    blocks.append(_context(f"Incident #{view.incident_id} · alert {view.alert_id}{hint}"))
    return blocks
