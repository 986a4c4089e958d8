"""Commands for people on call and analysts: incidents (list, show, ack, resolve) and the digest."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from monitor.cli.guard import Day, IncidentNumber, person
from monitor.errors import ConfigError

if TYPE_CHECKING:
    from sqlmodel import Session

    from monitor.settings import Settings

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


@click.group()
def incidents() -> None:
    """List, inspect, acknowledge and resolve incidents."""


@incidents.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include resolved incidents.")
@click.pass_obj
def list_incidents(ctx: object, show_all: bool) -> None:
    """Open incidents (most severe first), then the watch list: individual triggers that did not page."""
    from rich.table import Table
    from rich.text import Text
    from sqlmodel import Session, col, select

    from alerts.escape import terminal
    from monitor.cli.reading import read_engine
    from monitor.labels import SEVERITY_NAMES, trigger_label
    from monitor.storage.tables import Incident

    settings = ctx.read_settings  # type: ignore[attr-defined]
    engine = read_engine(settings)
    query = select(Incident).order_by(col(Incident.severity).desc(), col(Incident.opened_at).desc())
    if not show_all:
        query = query.where(Incident.status != "resolved")
    zones = {b.id: b.timezone for b in settings.brands}
    table = Table(title="Incidents")
    for column in ("#", "brand", "opened (brand time)", "what", "severity", "status", "acked by", "reason"):
        table.add_column(column)
    with Session(engine) as session:
        for i in sorted(session.exec(query), key=lambda i: i.status == "watch"):
            facets = " + ".join(dict.fromkeys(trigger_label(f) for f in [i.trigger, *(i.facets or {})]))
            table.add_row(str(i.id), Text(terminal(i.brand_id, 60)), _local(i.opened_at, zones.get(i.brand_id, "UTC")),
                          Text(terminal(facets, 80)), SEVERITY_NAMES.get(i.severity, str(i.severity)),
                          Text(terminal(i.status, 20)),
                          Text(terminal(i.acked_by or "", 60)), Text(terminal(i.reason, 300)))
        resolved = 0 if show_all or table.row_count else _count_resolved(session)
    if table.row_count:
        console.print(table)
    elif resolved:
        console.print(f"No open incidents ({resolved} resolved: `groundswell incidents list --all` shows them).")
    else:
        console.print("No incidents yet." if show_all else "No open incidents.")


def _count_resolved(session: Session) -> int:
    """Why the list is empty: a newcomer after `demo` sees only resolved incidents, and should know they exist."""
    from sqlalchemy import func
    from sqlmodel import select

    from monitor.storage.tables import Incident

    query = select(func.count()).select_from(Incident).where(Incident.status == "resolved")
    return int(session.exec(query).one())


def _local(when: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    from monitor.clock import as_utc

    return f"{as_utc(when).astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M %Z}"


def _since(value: object, zone: str) -> str:
    """A facet's start (stored as ISO 8601 text) in the brand's time, as every other time here."""
    from alerts.escape import terminal

    try:
        return _local(datetime.fromisoformat(str(value)), zone)
    except ValueError:
        return terminal(str(value or "?"), 40)


@incidents.command("show")
@click.argument("incident_id", type=IncidentNumber())
@click.pass_obj
def show_incident(ctx: object, incident_id: int) -> None:
    """Everything about an incident: what it is (spike, story, ...), every update and what changed, example posts,
    and which channel was told when."""
    from rich.text import Text
    from sqlmodel import Session, col, select

    from alerts.escape import terminal
    from alerts.render import followers_text
    from monitor.cli.incident_actions import get_incident
    from monitor.cli.reading import read_engine
    from monitor.labels import SEVERITY_NAMES, trigger_label
    from monitor.storage.tables import Alert, Mention, OutboxItem

    settings = ctx.read_settings  # type: ignore[attr-defined]
    engine = read_engine(settings)
    zones = {b.id: b.timezone for b in settings.brands}
    with Session(engine) as session:
        i = get_incident(session, incident_id)
        zone = zones.get(i.brand_id, "UTC")
        # every field may carry text written by strangers: terminal() drops escape sequences and bidi controls,
        # and Text / markup=False keep square brackets from being read as rich markup
        console.print(Text.assemble((f"#{i.id} {terminal(i.title, 200)}", "bold"),
                                    f" ({terminal(i.brand_id, 60)}, {terminal(trigger_label(i.trigger), 40)}, "
                                    f"{SEVERITY_NAMES.get(i.severity, i.severity)}, {terminal(i.status, 20)})"))
        console.print(f"opened {_local(i.opened_at, zone)}; {terminal(i.reason, 1000)}", markup=False)
        for facet, info in (i.facets or {}).items():
            console.print(f"  {terminal(trigger_label(facet), 40)} since {_since(info.get('since'), zone)}: "
                          f"{terminal(str(info.get('reason', '')), 300)}", markup=False)
        join = (i.details or {}).get("join", {})
        if join:
            words = terminal(", ".join(list(join.get("words", {}))[:12]), 300)
            console.print(f"  {len(join.get('people', []))} people, reach {join.get('reach', 0):,}; words: {words}",
                          markup=False)
        if i.acked_by:
            console.print(f"acknowledged by {terminal(i.acked_by, 60)} at {_local(i.acked_at or i.opened_at, zone)}",
                          markup=False)
        for m in session.exec(select(Mention).where(col(Mention.id).in_(i.example_mention_ids or []))):
            console.print(f"  @{terminal(m.author_handle, 60)} "
                          f"({followers_text(m.author_followers) or 'followers unknown'}): "
                          f"{terminal(m.text, 200)} {terminal(m.url, 300)}", markup=False)
        for alert in session.exec(select(Alert).where(Alert.incident_id == i.id).order_by(col(Alert.id))):
            how = "paged" if alert.paged else "digest only (page budget)"
            console.print(f"  {_local(alert.created_at, zone)} {alert.event}, "
                          f"{SEVERITY_NAMES.get(alert.severity, alert.severity)} ({how}): "
                          f"{terminal(alert.summary or '', 500)}", markup=False)
            for item in session.exec(select(OutboxItem).where(OutboxItem.alert_id == alert.id)):
                tries = f"{item.attempts} attempt{'' if item.attempts == 1 else 's'}"
                console.print(f"      -> {item.channel_id}: {item.status} after {tries} "
                              f"{terminal(item.last_error or '', 300)}", markup=False)


def _mark(ctx: object, incident_id: int, who: str | None, resolve: bool, force: bool) -> None:
    from monitor.cli.incident_actions import mark, stamp
    from monitor.runtime import Runtime

    # the database and the channels' routing only: an on-call shell need not hold the channels' secrets
    settings = ctx.read_settings  # type: ignore[attr-defined]
    outcome = mark(Runtime(settings).engine, settings, incident_id, who or getpass.getuser(), resolve=resolve,
                   now=datetime.now(UTC), force=force)
    told = (f"; {', '.join(outcome.told)} will be told by the running service" if outcome.told
            else "; no channel had been told about it, so nobody is notified")
    console.print(f"incident #{incident_id} {outcome.action} {stamp(outcome.who, outcome.when, outcome.zone)}{told}",
                  markup=False)


@incidents.command("ack")
@click.argument("incident_id", type=IncidentNumber())
@click.option("--by", "who", callback=person, help="Who acknowledges (default: your user name).")
@click.option("--force", is_flag=True,
              help="Take over an incident someone else acknowledged, or record it on a resolved one.")
@click.pass_obj
def ack_incident(ctx: object, incident_id: int, who: str | None, force: bool) -> None:
    """Acknowledge an incident: someone is on it (stops the "not acknowledged" reminders and escalation pages;
    the channels that heard of it are told)."""
    _mark(ctx, incident_id, who, resolve=False, force=force)


@incidents.command("resolve")
@click.argument("incident_id", type=IncidentNumber())
@click.option("--by", "who", callback=person, help="Who resolves (default: your user name).")
@click.option("--force", is_flag=True, help="Record it again though it is already resolved.")
@click.pass_obj
def resolve_incident(ctx: object, incident_id: int, who: str | None, force: bool) -> None:
    """Resolve an incident by hand (channels that heard of it are told who resolved it)."""
    _mark(ctx, incident_id, who, resolve=True, force=force)


@click.command()
@click.option("--date", "day", type=Day(), default=None,
              help="The day to summarise (default: yesterday, in each brand's timezone).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the HTML preview here (the CSV of negative mentions goes beside it).")
@click.option("--send", is_flag=True, help="Send it now to every channel with digest = true (--out not needed).")
@click.pass_obj
def digest(ctx: object, day: datetime | None, out: Path | None, send: bool) -> None:
    """Preview the daily digest (--out FILE.html), send it (--send), or both.

    It holds volume and sentiment against last week, a chart, incidents, churn threats, repeat
    complainers and source coverage.

    Example: groundswell digest --out digest.html   (yesterday's; --date 2026-11-07 for another day)
    """
    from alerts.digest import build_digest
    from alerts.digest_send import deliver_digest
    from monitor.cli.reading import read_engine
    from monitor.pipeline.jobs import archive_sent, source_usage, write_digest, yesterday
    from monitor.runtime import Runtime, build_notifiers
    from monitor.storage.engine import refresh_statistics

    # A preview reads the database only: no source's or channel's secret is needed (sent, the channels' are).
    if out is None and not send:
        raise click.UsageError("say what to do with the digest: --out FILE.html to preview it, --send to send "
                               "it, or both")
    settings = ctx.settings if send else ctx.read_settings  # type: ignore[attr-defined]
    _not_after_today(day, settings)
    runtime = Runtime(settings)
    engine = read_engine(settings)  # no migration run when current; fresh statistics all the same (issue #17:
    refresh_statistics(engine)      # a digest on stale PostgreSQL statistics took 290 s)
    usage = source_usage(runtime.connector)
    now = datetime.now(UTC)
    digests = [build_digest(engine, settings, brand, day.date() if day else yesterday(brand, now), usage)
               for brand in settings.brands]
    days = ", ".join(sorted({f"{d.day} ({d.brand.timezone})" for d in digests}))
    if out is not None:
        csv_path = write_digest(out, digests)
        console.print(f"digest for {days} written to {out} (negative mentions: {csv_path})", markup=False)
    if not send:
        return
    if not any(channel.digest and channel.enabled for channel in settings.channels):
        raise ConfigError("channels", "--send sent nothing: no enabled channel has digest = true (add it to the "
                          "[[channels]] entry that should get the digest)")
    notifiers, failed = build_notifiers(settings), 0
    for report in digests:
        outcomes = deliver_digest(settings, notifiers, report)
        for outcome in outcomes:
            console.print(outcome.line, markup=False)
        failed += sum(1 for outcome in outcomes if outcome.error is not None)
        archive_sent(engine, report, [o.channel for o in outcomes if o.error is None], now=now)
    if failed:
        sys.exit(1)  # each failure is printed above; the others were sent


def _not_after_today(day: datetime | None, settings: Settings) -> None:
    """A day still to come wrote an empty digest as if nothing had been said (a typo in the year, say)."""
    from zoneinfo import ZoneInfo

    today = max(datetime.now(ZoneInfo(brand.timezone)).date() for brand in settings.brands)
    if day is not None and day.date() > today:
        raise click.BadParameter(f"{day:%Y-%m-%d} has not come yet (today is {today}): give a day that is over, "
                                 "or today for the day so far", param_hint="'--date'")


@click.group()
def channels() -> None:
    """Alert channels: list them, or send a test message."""


@channels.command("list")
@click.pass_obj
def list_channels(ctx: object) -> None:
    """Configured channels with what reaches each (severity, brands, triggers, quiet hours)."""
    from monitor.labels import SEVERITY_NAMES, trigger_label

    for c in ctx.read_settings.channels:  # type: ignore[attr-defined]  # no secret needed to list them
        who = "first responders" if c.tier == 1 else f"escalation tier {c.tier}"
        triggers = ", ".join(trigger_label(t) for t in c.triggers) if c.triggers else "all"
        console.print(f"{c.id} ({c.kind}): {who}; severity {SEVERITY_NAMES.get(c.min_severity, c.min_severity)} "
                      f"and up; brands {', '.join(c.brands) if c.brands else 'all'}; triggers {triggers}; "
                      f"quiet hours {c.quiet_hours + ' (brand time)' if c.quiet_hours else 'none'}"
                      f"{'' if c.enabled else '; DISABLED'}", markup=False)


@channels.command("test")
@click.argument("name")
@click.pass_obj
def test_channel(ctx: object, name: str) -> None:
    """Send a real test message to channel NAME (its id in settings.toml) now, not through the delivery queue."""
    from alerts.base import AlertMessage
    from monitor.errors import DeliveryError
    from monitor.runtime import build_notifiers

    settings = ctx.settings  # type: ignore[attr-defined]
    notifiers = build_notifiers(settings)
    if name not in notifiers:
        raise ConfigError("channels", f"no enabled channel {name!r} (known: {', '.join(notifiers) or 'none'})")
    severity = next(c.min_severity for c in settings.channels if c.id == name)  # the least it will ever get
    now = datetime.now(UTC)
    message = AlertMessage(alert_id=0, incident_id=0, event="test", brand_id="test", brand_name="Groundswell",
                           severity=severity, title="Test message",
                           reason="If you can read this, alerts reach you here.", trigger="test", opened_at=now)
    try:
        receipt = notifiers[name].send(message, idempotency_key=f"gs-test-{name}-{now:%Y%m%d%H%M%S}")
    except DeliveryError as exc:
        console.print(f"[red]failed[/]: {exc} ({'transient: try again' if exc.transient else 'fix the settings'})")
        sys.exit(1)
    if receipt.extra.get("skipped"):
        console.print(f"[red]not sent[/] to {name}: {receipt.extra['skipped']}")
        sys.exit(1)
    refused = f" (refused: {receipt.extra['refused']})" if receipt.extra.get("refused") else ""
    console.print(f"sent to {name} (message id {receipt.message_id or '-'}){refused}", markup=False)
