"""`groundswell incidents snooze|wake|missed`: the workspace's snooze and "missed one" from the terminal.

They go through the same actions as the web, Slack and email (monitor.web.actions), recorded with who
and from "cli"; a snooze also tells the channels that heard of the incident (through the outbox).
"""

from __future__ import annotations

import getpass
import secrets
import sys
from datetime import UTC, datetime

import click
from rich.console import Console

from monitor.cli.guard import IncidentNumber, person

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _act(ctx: object, incident_id: int, kind: str, value: str, who: str | None) -> bool:
    from monitor.runtime import Runtime
    from monitor.web.actions import Actor, act

    settings = ctx.read_settings  # type: ignore[attr-defined]  # routing only: no channel's secret needed
    return act(Runtime(settings).engine, settings, incident_id, kind, value, Actor(who or getpass.getuser(), "cli"),
               request_id=f"cli-{secrets.token_urlsafe(16)}", now=datetime.now(UTC))


def _duration(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A mistyped --for is a usage error (exit 2) found before the database is opened, not a runtime failure."""
    from monitor.errors import GroundswellError
    from monitor.web.actions import parse_duration

    try:
        parse_duration(value)
    except GroundswellError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@click.command("snooze")
@click.argument("incident_id", type=IncidentNumber())
@click.option("--for", "span", default="4h", show_default=True, callback=_duration,
              help="How long: 30m, 4h, 2d (at most 14 days).")
@click.option("--by", "who", callback=person, help="Who snoozes (default: your user name).")
@click.pass_obj
def snooze_incident(ctx: object, incident_id: int, span: str, who: str | None) -> None:
    """Keep an incident quiet for a while: no reminders or escalation pages until then (it stays listed)."""
    if _act(ctx, incident_id, "snooze", span, who):
        console.print(f"incident #{incident_id} snoozed for {span}; it wakes by itself", markup=False)
    else:
        console.print(f"incident #{incident_id} is resolved: nothing to snooze", markup=False)


@click.command("wake")
@click.argument("incident_id", type=IncidentNumber())
@click.option("--by", "who", callback=person, help="Who wakes it (default: your user name).")
@click.pass_obj
def wake_incident(ctx: object, incident_id: int, who: str | None) -> None:
    """End an incident's snooze now."""
    woke = _act(ctx, incident_id, "wake", "", who)
    console.print(f"incident #{incident_id} {'is awake again' if woke else 'was not snoozed'}", markup=False)


@click.command("missed")
@click.argument("brand")
@click.argument("link")
@click.option("--note", default="", help="Why it should have paged (optional).")
@click.option("--by", "who", callback=person, help="Who reports it (default: your user name).")
@click.pass_obj
def report_missed_post(ctx: object, brand: str, link: str, note: str, who: str | None) -> None:
    """Tell Groundswell it missed one: LINK (a post's address or a stored mention's number) should have paged."""
    from monitor.runtime import Runtime
    from monitor.web.actions import Actor, report_missed

    settings = ctx.read_settings  # type: ignore[attr-defined]
    settings.brand(brand)  # an unknown brand is one line naming the known ones
    row = report_missed(Runtime(settings).engine, brand, link, Actor(who or getpass.getuser(), "cli"),
                        now=datetime.now(UTC), note=note)
    if row is None:
        console.print("already recorded: you reported that post before", markup=False)
        return
    stored = f"stored mention #{row.mention_id}" if row.mention_id else "not a stored mention (the link is kept)"
    console.print(f"recorded as missed for {brand}: {stored}", markup=False)
