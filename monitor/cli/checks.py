"""`groundswell check` and `groundswell sources`: what works, what does not, and what to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from monitor import registry
from monitor.cli.guard import explain
from monitor.cli.reading import read_engine
from monitor.clock import as_utc
from monitor.errors import GroundswellError
from monitor.logs import plural
from monitor.runtime import Runtime

if TYPE_CHECKING:  # `check` runs without the pipeline, detection and digest code that `sources` reads with
    from rich.table import Table

    from connectors.base import RequestPlan
    from monitor.settings import Settings
    from monitor.storage.tables import SourceState


def run_checks(settings: Settings, console: Console) -> int:
    """Configuration (already valid if we got here), database, each enabled source, each enabled channel.

    Nothing is sent: channels are verified as far as each kind allows (SMTP login, Slack auth.test, ...).
    Returns the exit code: 0 all well, 1 something failed, 2 the database URL itself is wrong.
    """
    console.print(f"[green]ok[/]   configuration: {plural(len(settings.brands), 'brand')}, "
                  f"{plural(len(settings.sources), 'source')}, {plural(len(settings.channels), 'channel')}")
    runtime = Runtime(settings)
    try:
        read_engine(settings)  # migrated only when it is behind; no statistics refresh, no brands sync
        console.print(f"[green]ok[/]   database: {_redact(settings.database_url())}")
    except Exception as exc:  # any failure to open it: say what, and stop (nothing else can work)
        code, line = explain(exc)
        console.print(f"[red]fail[/] database: {escape(line)}", soft_wrap=True)
        return code
    healthy = _check_model(settings, runtime, console)
    healthy = _check_metrics_address(settings.service.metrics_address, console) and healthy
    healthy = _check_sources(settings, runtime, console) and healthy
    return 0 if _check_channels(settings, runtime, console) and healthy else 1


def _check_model(settings: Settings, runtime: Runtime, console: Console) -> bool:
    """Load the sentiment model as `run` does: a model that cannot load stops `run`, so `check` says so first."""
    try:
        _ = runtime.model
    except GroundswellError as exc:
        console.print(f"[red]fail[/] model.sentiment: {escape(str(exc))}", soft_wrap=True)
        return False
    console.print(f"[green]ok[/]   model.sentiment: {escape(settings.model.sentiment)}")
    return True


def _check_sources(settings: Settings, runtime: Runtime, console: Console) -> bool:
    healthy = True
    for source in settings.sources:
        if not source.enabled:
            console.print(f"[dim]off[/]  source {source.id} (disabled)")
            continue
        try:
            runtime.connector(source.id).check()
            console.print(f"[green]ok[/]   source {source.id} ({source.kind})")
        except GroundswellError as exc:
            healthy = False
            console.print(f"[red]fail[/] source {source.id} ({source.kind}): {escape(str(exc))}", soft_wrap=True)
    return healthy


def _check_channels(settings: Settings, runtime: Runtime, console: Console) -> bool:
    healthy = True
    notifiers = runtime.notifiers
    for channel in settings.channels:
        name = f"channel {channel.id} ({channel.kind})"
        if channel.id not in notifiers:
            console.print(f"[dim]off[/]  {name} (disabled)")
            continue
        try:
            detail = notifiers[channel.id].check()
        except GroundswellError as exc:
            healthy = False
            console.print(f"[red]fail[/] {name}: {escape(str(exc))}", soft_wrap=True)
            continue
        if detail is None:
            console.print(f"[yellow]?[/]    {name}: cannot be verified without sending; "
                          f"try `groundswell channels test {channel.id}`", soft_wrap=True)
        else:
            console.print(f"[green]ok[/]   {name}: {escape(detail)}", soft_wrap=True)
    return healthy


def _check_metrics_address(address: str, console: Console) -> bool:
    """The host must resolve here; a port in use is only a warning (a running service holds it)."""
    import socket

    host, _, port = address.rpartition(":")
    try:
        family, kind, proto, _, target = socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_STREAM)[0]
    except OSError as exc:
        console.print(f"[red]fail[/] service.metrics_address: cannot resolve {escape(host)}: {escape(str(exc))}")
        return False
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(target)
        except OSError as exc:
            console.print(f"[yellow]warn[/] service.metrics_address {escape(address)}: {escape(exc.strerror or '')} "
                          "(fine if groundswell is running; otherwise choose another port)")
            return True
    console.print(f"[green]ok[/]   service.metrics_address {escape(address)}")
    return True


def _redact(url: str) -> str:
    """Never print a database password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def print_sources(settings: Settings, console: Console) -> None:
    from rich.table import Table
    from rich.text import Text
    from sqlmodel import Session, select

    from alerts.escape import terminal
    from monitor.pipeline.source_health import is_quiet
    from monitor.storage.backlog import unscored_by_source
    from monitor.storage.digest_queries import language_reading
    from monitor.storage.tables import SourceState

    now = datetime.now(UTC)
    runtime = Runtime(settings)
    with Session(read_engine(settings)) as session:
        states = {s.id: s for s in session.exec(select(SourceState))}
        unscored = unscored_by_source(session)
        languages = {b.id: language_reading(session, b.id, now - timedelta(hours=24), now) for b in settings.brands}
    table = Table(title="Sources")
    for column in ("id", "kind", "brand", "status", "last success", "failures", "next poll", "items",
                   "unscored", "budget", "last error"):
        table.add_column(column)
    zones = {b.id: b.timezone for b in settings.brands}
    for source in settings.sources:
        state, zone = states.get(source.id), zones.get(source.brand, "UTC")
        status = "disabled" if not source.enabled else (state.status if state else "never polled")
        if state and is_quiet(state, now=now, quiet_minutes=source.quiet_minutes):
            status = f"quiet (nothing for > {source.quiet_minutes} min: check it)"
        brands = source.brand + (f" +{len(source.served) - 1} more" if len(source.served) > 1 else "")
        table.add_row(source.id, source.kind, brands, status, _when(state.last_success_at if state else None, zone),
                      str(state.consecutive_failures if state else 0),
                      _when(state.next_poll_at if state else None, zone),
                      str(state.items_last_poll if state else 0), str(unscored.get((source.brand, source.id), 0)),
                      source_usage(runtime, source.id, state),
                      Text(terminal(state.last_error or "")) if state else "")  # a server's words: as text
    console.print(table)
    for brand_id, reading in languages.items():
        if reading:  # posts no sentiment model covers: how many the complaint keywords read
            console.print(f"{escape(brand_id)}, last 24 h, other languages: {escape(reading.line())}", soft_wrap=True)
    budgets = request_budgets(runtime, settings)
    if budgets:
        console.print(budgets)
    kinds = Table(title="Source kinds in this install")
    kinds.add_column("kind")
    kinds.add_column("status")
    for kind, status in registry.load_status(registry.CONNECTORS).items():
        kinds.add_row(kind, status)
    console.print(kinds)


def request_budgets(runtime: Runtime, settings: Settings) -> Table | None:
    """Each platform quota's requests per window from every enabled source, against what it allows.

    Quotas are per app or client, shared by every source and worker, so this is the whole deployment's
    budget: with one source per brand it grows with brands; with ``brands = [...]`` it grows with queries.
    """
    pools: dict[str, tuple[RequestPlan, float, int]] = {}
    for source in settings.sources:
        try:
            plan = runtime.connector(source.id).request_plan() if source.enabled else None
        except GroundswellError:
            continue
        if plan is None:
            continue
        _, used, count = pools.get(plan.pool, (plan, 0.0, 0))
        pools[plan.pool] = (plan, used + plan.per_poll * plan.window_s / source.interval_seconds, count + 1)
    if not pools:
        return None
    from rich.table import Table

    table = Table(title="Request budgets (every source and worker of this deployment)")
    for column in ("quota", "sources", "requests needed", "allowed", "use"):
        table.add_column(column)
    for pool, (plan, used, count) in sorted(pools.items()):
        window = f"per {plan.window_s // 60} min"
        share = used / plan.limit
        use = f"{share:.0%}" + (" [red]over: polls will be cut short; share queries (brands = [...])[/]"
                                if share > 1 else "")
        table.add_row(escape(pool), str(count), f"{used:,.0f} {window}", f"{plan.limit:,} {window}", use)
    return table


def source_usage(runtime: Runtime, source_id: str, state: SourceState | None) -> str:
    """The connector's own budget line; empty when it has none or cannot be built here."""
    try:
        return runtime.connector(source_id).usage(state.cursor if state else None)
    except GroundswellError:
        return ""


def _when(moment: datetime | None, zone: str = "UTC") -> str:
    """In the source's brand's time, as `incidents list` and the alerts say it."""
    from zoneinfo import ZoneInfo

    return f"{as_utc(moment).astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M %Z}" if moment else "-"
