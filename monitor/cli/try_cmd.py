"""`groundswell try`: see Slack and email alerts within minutes, with no accounts (monitor/replay/try_it.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click


class Watcher:
    """Prints what the Slack and SMTP stand-ins received since the last look."""

    def __init__(self, stand_ins: Any) -> None:
        self.stand_ins, self.slack_seen, self.mail_seen = stand_ins, 0, 0

    def lines(self) -> list[str]:
        out = []
        calls = self.stand_ins.slack.calls
        for call in calls[self.slack_seen:]:
            if call.method in ("chat.postMessage", "chat.update"):
                where = "thread reply" if call.body.get("thread_ts") else (
                    "headline edited" if call.method == "chat.update" else "new headline")
                out.append(f"Slack #alerts ({where}): {str(call.body.get('text', ''))[:150]}")
        self.slack_seen = len(calls)
        received = self.stand_ins.smtp.received
        for mail in received[self.mail_seen:]:
            out.append(f"Email to {', '.join(mail.rcpt_tos)}: {' '.join(str(mail.message['Subject']).split())}")
        self.mail_seen = len(received)
        return out


@click.command("try")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("groundswell-try"),
              show_default=True, help="Where the settings file, its secrets and the database go.")
@click.option("--port-base", type=int, default=7100, show_default=True,
              help="Stand-in ports: X +1, Reddit +2, Slack +3, SMTP +25.")
@click.option("--pace", type=float, default=0.5, show_default=True,
              help="Real seconds per 15 simulated minutes on the outage day (the quiet days run flat out).")
@click.option("--model", default="bundled", show_default=True, help='Sentiment model ("lexicon" is fastest).')
@click.option("--no-wait", is_flag=True, help="Stop the stand-ins and exit when the day is played.")
def try_command(folder: Path, port_base: int, pace: float, model: str, no_wait: bool) -> None:
    """Try it with no accounts: fake X, Reddit, Slack and SMTP on fixed local ports, a real settings
    file pointing at them, and a week of mentions played fast up to an evening outage, so Slack and
    email alerts arrive within minutes."""
    from monitor.logs import configure_logging
    from monitor.replay.try_it import play, settings_text, start_stand_ins, write_settings

    configure_logging("warning", "console")
    stand_ins = start_stand_ins(port_base)
    database = folder / "data" / "groundswell.db"
    for suffix in ("", "-wal", "-shm"):  # every try starts from the same empty state
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    path = write_settings(folder, stand_ins.ports, model)
    click.echo(f"Stand-ins: X :{stand_ins.ports['x']}, Reddit :{stand_ins.ports['reddit']}, "
               f"Slack :{stand_ins.ports['slack']}, SMTP :{stand_ins.ports['smtp']} (127.0.0.1)")
    click.echo(f"Settings written to {path}:\n")
    click.echo(settings_text(stand_ins.ports, model))
    click.echo("Playing five quiet days fast, then the outage day at 15 simulated minutes per "
               f"{pace:g} s...\n")
    watcher = Watcher(stand_ins)

    def on_step(now: datetime, _sent: Sequence[str], paced: bool) -> None:
        for line in watcher.lines():
            click.echo(f"{now:%a %d %b %H:%M}  {line}")
        if paced and pace > 0:
            time.sleep(pace)

    started = time.monotonic()
    played = play(path, stand_ins, on_step=on_step)
    sent = sum(line.startswith("sent") for line in played.deliveries)
    click.echo(f"\n{played.mentions} mentions collected from the X and Reddit stand-ins, {sent} alert deliveries "
               f"to Slack and email, in {time.monotonic() - started:.0f} s.")
    flag = f"--config {path}"
    click.echo(f"Next: groundswell {flag} incidents list --all   (then incidents ack N; `run` tells Slack and email)")
    if no_wait:
        stand_ins.stop()
        return
    click.echo(f"The stand-ins keep running: try `groundswell {flag} check` in another terminal. Ctrl-C stops.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        stand_ins.stop()
