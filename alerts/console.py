"""Console notifier: prints alerts to the terminal, so the demo shows them with no setup."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from alerts.base import AlertMessage, Notifier, NotifierOptions, Receipt
from alerts.render import alert_view  # cleans every untrusted field (escape sequences, bidi controls)

_STYLE = {1: "cyan", 2: "yellow", 3: "bold red", 4: "bold white on red"}


class ConsoleOptions(NotifierOptions):
    examples: int = 3


class ConsoleNotifier(Notifier[ConsoleOptions]):
    kind = "console"
    Options = ConsoleOptions

    def __init__(self, channel_id: str, options: ConsoleOptions, stream: TextIO | None = None) -> None:
        super().__init__(channel_id, options)
        self.console = Console(file=stream or sys.stdout, highlight=False, soft_wrap=True)

    def check(self) -> str:
        return "prints to the standard output of `groundswell run`"

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        view = alert_view(message, max_examples=self.options.examples, text_limit=160)
        style = _STYLE.get(message.severity, "white")
        self.console.print(f"[{style}]{escape(view.event_label.upper())} · {view.severity_name}[/] "
                           f"[bold]{escape(view.brand)}[/]: {escape(view.headline)}")
        if view.change:
            self.console.print(f"  what changed: {escape(view.change)}")
        numbers = [f"{label} {value}" for label, value in view.facts] + [f"since {view.opened_at}"]
        self.console.print(f"  {escape(' · '.join(numbers))}" + (f" · {escape(view.facets)}" if view.facets else ""))
        for e in view.examples:
            self.console.print(f"  - \"{escape(e.text)}\" @{escape(e.author)}")
        if view.incident_id:  # a test message or a digest belongs to no incident
            self.console.print(f"  details: groundswell incidents show {view.incident_id}")
        return Receipt(channel=self.channel_id, message_id=idempotency_key)
