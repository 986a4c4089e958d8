"""Commands for people on call and analysts: incidents (list, show, ack, resolve) and the digest."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.errors import ConfigError
from monitor.runtime import Runtime
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


@click.group()
def incidents() -> None:
    """List, inspect, acknowledge and resolve incidents."""


@incidents.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include resolved incidents.")
@click.pass_obj
def list_incidents(ctx: object, show_all: bool) -> None:
    """Open incidents (most severe first), then the watch list: individual triggers that did not page."""
    engine = Runtime(ctx.settings).engine  # type: ignore[attr-defined]
    query = select(Incident).order_by(col(Incident.severity).desc(), col(Incident.opened_at).desc())
    if not show_all:
        query = query.where(Incident.status != "resolved")
    zones = {b.id: b.timezone for b in ctx.settings.brands}  # type: ignore[attr-defined]
    table = Table(title="Incidents")
    for column in ("#", "brand", "opened (brand time)", "what", "sev", "status", "acked by", "reason"):
        table.add_column(column)
    with Session(engine) as session:
        rows = sorted(session.exec(query), key=lambda i: i.status == "watch")
        for i in rows:
            facets = " + ".join(dict.fromkeys([i.trigger, *(i.facets or {})]))
            table.add_row(str(i.id), i.brand_id, _local(i.opened_at, zones.get(i.brand_id, "UTC")), facets,
                          str(i.severity), i.status, i.acked_by or "", i.reason)
    console.print(table)


def _local(when: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return f"{as_utc(when).astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M %Z}"


def _incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise ConfigError("INCIDENT", f"no incident #{incident_id} (see `groundswell incidents list --all`)")
    return incident


@incidents.command("show")
@click.argument("incident_id", type=int)
@click.pass_obj
def show_incident(ctx: object, incident_id: int) -> None:
    """Everything about an incident: facets, every update and what changed, examples, deliveries."""
    engine = Runtime(ctx.settings).engine  # type: ignore[attr-defined]
    zones = {b.id: b.timezone for b in ctx.settings.brands}  # type: ignore[attr-defined]
    with Session(engine) as session:
        i = _incident(session, incident_id)
        zone = zones.get(i.brand_id, "UTC")
        console.print(f"[bold]#{i.id} {i.title}[/] ({i.brand_id}, {i.trigger}, severity {i.severity}, {i.status})")
        console.print(f"opened {_local(i.opened_at, zone)}; {i.reason}",
                      markup=False)
        for facet, info in (i.facets or {}).items():
            console.print(f"  facet {facet} since {info.get('since', '?')}: {info.get('reason', '')}", markup=False)
        join = (i.details or {}).get("join", {})
        if join:
            console.print(f"  {len(join.get('people', []))} people, reach {join.get('reach', 0):,}; "
                          f"words: {', '.join(list(join.get('words', {}))[:12])}", markup=False)
        if i.acked_by:
            console.print(f"acknowledged by {i.acked_by} at {_local(i.acked_at or i.opened_at, zone)}")
        for m in session.exec(select(Mention).where(col(Mention.id).in_(i.example_mention_ids or []))):
            console.print(f"  @{m.author_handle} ({m.author_followers or 0} followers): {m.text[:200]} {m.url}",
                          markup=False)
        for alert in session.exec(select(Alert).where(Alert.incident_id == i.id).order_by(col(Alert.id))):
            how = "paged" if alert.paged else "digest only (page budget)"
            console.print(f"  {_local(alert.created_at, zone)} {alert.event} sev {alert.severity} ({how}): "
                          f"{alert.summary or ''}", markup=False)
            for item in session.exec(select(OutboxItem).where(OutboxItem.alert_id == alert.id)):
                console.print(f"      -> {item.channel_id}: {item.status} after {item.attempts} attempt(s) "
                              f"{item.last_error or ''}", markup=False)


def _mark(ctx: object, incident_id: int, who: str | None, resolve: bool) -> None:
    engine = Runtime(ctx.settings).engine  # type: ignore[attr-defined]
    now, who = datetime.now(UTC), who or getpass.getuser()
    with Session(engine) as session:
        incident = _incident(session, incident_id)
        if resolve:
            incident.status, incident.resolved_at, incident.resolved_by = "resolved", now, who
        else:
            incident.acked_by, incident.acked_at = who, now
        session.add(incident)
        session.commit()
    console.print(f"incident #{incident_id} {'resolved' if resolve else 'acknowledged'} by {who}")


@incidents.command("ack")
@click.argument("incident_id", type=int)
@click.option("--by", "who", help="Who acknowledges (default: your user name).")
@click.pass_obj
def ack_incident(ctx: object, incident_id: int, who: str | None) -> None:
    """Acknowledge an incident: someone is on it (stops unacknowledged escalation)."""
    _mark(ctx, incident_id, who, resolve=False)


@incidents.command("resolve")
@click.argument("incident_id", type=int)
@click.option("--by", "who", help="Who resolves (default: your user name).")
@click.pass_obj
def resolve_incident(ctx: object, incident_id: int, who: str | None) -> None:
    """Resolve an incident by hand."""
    _mark(ctx, incident_id, who, resolve=True)


@click.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day to summarise (default: yesterday, in each brand's timezone).")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Write the HTML preview here (the CSV of negative mentions goes beside it).")
@click.option("--send", is_flag=True, help="Also send it now to every channel with digest = true.")
@click.pass_obj
def digest(ctx: object, day: datetime | None, out: Path, send: bool) -> None:
    """Preview (and optionally send) the daily digest: volume and sentiment against last week,
    chart, incidents, churn threats, repeat complainers and source coverage."""
    from alerts.digest import build_digest, negatives_csv
    from alerts.digest_render import chart_png, data_uri, render_html

    settings = ctx.settings  # type: ignore[attr-defined]
    engine = Runtime(settings).engine
    when: date = day.date() if day else (datetime.now(UTC) - timedelta(days=1)).date()
    digests = [build_digest(engine, settings, brand, when) for brand in settings.brands]
    out.write_text(render_html(digests, [data_uri(chart_png(d)) for d in digests]), encoding="utf-8")
    csv_path = out.with_suffix(".csv")
    csv_path.write_text("".join(negatives_csv(d) for d in digests), encoding="utf-8")
    console.print(f"digest for {when} written to {out} (negative mentions: {csv_path})")
    if send:
        from alerts.digest_send import send_digest
        from monitor.registry import build_notifiers

        notifiers = build_notifiers(settings)
        for report in digests:
            for outcome in send_digest(settings, notifiers, report):
                console.print(outcome)


@click.group()
def channels() -> None:
    """Alert channels: list them, or send a test message."""


@channels.command("list")
@click.pass_obj
def list_channels(ctx: object) -> None:
    """Configured channels with their routing filters."""
    for c in ctx.settings.channels:  # type: ignore[attr-defined]
        console.print(f"{c.id} ({c.kind}) tier {c.tier}, min severity {c.min_severity}, "
                      f"brands {c.brands or 'all'}, triggers {c.triggers or 'all'}, "
                      f"quiet hours {c.quiet_hours or 'none'}{'' if c.enabled else ', DISABLED'}", markup=False)


@channels.command("test")
@click.argument("name")
@click.pass_obj
def test_channel(ctx: object, name: str) -> None:
    """Send a real test message to channel NAME, now, bypassing the outbox."""
    from alerts.base import AlertMessage
    from monitor.errors import DeliveryError
    from monitor.registry import build_notifiers

    notifiers = build_notifiers(ctx.settings)  # type: ignore[attr-defined]
    if name not in notifiers:
        raise ConfigError("channels", f"no enabled channel {name!r} (known: {', '.join(notifiers) or 'none'})")
    now = datetime.now(UTC)
    message = AlertMessage(alert_id=0, incident_id=0, event="test", brand_id="test", brand_name="Groundswell",
                           severity=1, title="Test message", reason="If you can read this, alerts reach you here.",
                           trigger="test", opened_at=now)
    try:
        receipt = notifiers[name].send(message, idempotency_key=f"gs-test-{name}-{now:%Y%m%d%H%M%S}")
    except DeliveryError as exc:
        console.print(f"[red]failed[/]: {exc} ({'transient: try again' if exc.transient else 'fix the settings'})")
        sys.exit(1)
    console.print(f"sent to {name} (message id {receipt.message_id or '-'})")


@click.command()
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Mentions mode: the incident timeline (JSONL). Series mode: the scored CSV.")
@click.option("--series", is_flag=True,
              help="INPUT_FILE is a volume series (timestamp,value; the NAB format): score every row.")
@click.option("--sensitivity", type=click.Choice(["low", "default", "high"]), default="default", show_default=True)
@click.option("--engine", type=click.Choice(["adaptive", "simple"]), default="adaptive", show_default=True)
@click.option("--model", default="bundled", show_default=True, help="Sentiment model for mentions mode.")
@click.option("--step-minutes", type=int, default=5, show_default=True, help="Simulated clock step.")
def backtest(input_file: Path, out: Path, series: bool, sensitivity: str, engine: str, model: str,
             step_minutes: int) -> None:
    """Replay history through detection with a simulated clock, to see what would have alerted.

    Mentions mode: INPUT_FILE in the replay format (JSONL or CSV) is polled, scored and detected
    step by step; OUT gets one JSON line per alert event.  Series mode (--series): OUT gets
    timestamp,value,anomaly_score,alert per row, from the same spike logic.
    """
    import tempfile

    from rich.progress import Progress

    if series:
        from monitor.replay.series import backtest_file

        result = backtest_file(input_file, out, sensitivity)
        console.print(f"{result['rows']} rows scored, {result['alerts']} alerts: {out}")
        return
    from monitor.replay.backtest import backtest_settings, run_backtest

    settings = backtest_settings(Path(tempfile.mkdtemp(prefix="groundswell-backtest-")), input_file, model,
                                 sensitivity, engine)
    with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("Replaying", total=None)
        events = run_backtest(settings, out, step=timedelta(minutes=step_minutes),
                              on_step=lambda n, total: progress.update(task, completed=n, total=total))
    console.print(f"{events} alert events written to {out}")
