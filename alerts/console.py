"""Console notifier: prints alerts to the terminal, so the demo shows them with no setup."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from alerts.base import AlertMessage, Notifier, NotifierOptions, Receipt
from alerts.escape import terminal

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
        style = _STYLE.get(message.severity, "white")
        self.console.print(
            f"[{style}]ALERT {message.event.upper()} sev {message.severity} ({message.severity_name})[/] "
            f"[bold]{escape(terminal(message.brand_name, 80))}[/]: {escape(terminal(message.title, 200))}")
        self.console.print(f"  {escape(terminal(message.reason, 1000))}")
        for post in message.examples[: self.options.examples]:
            self.console.print(f"  - @{escape(terminal(post.author, 60))} ({escape(terminal(post.platform, 30))}): "
                               f"{escape(terminal(post.text, 160))}")
        return Receipt(channel=self.channel_id, message_id=idempotency_key)
