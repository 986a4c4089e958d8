"""The periodic jobs beside the four stages: the daily digest and retention.

The service runs them on its schedule, the worker as tasks, the CLI on demand; all call these.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from alerts.base import AnyNotifier
from alerts.digest import BrandDigest, UsageLine, build_digest, negatives_csv
from alerts.digest_render import chart_png, data_uri, render_html, render_text
from alerts.digest_send import deliver_digest
from connectors.base import AnyConnector
from monitor.errors import GroundswellError
from monitor.pipeline.results import DigestResult
from monitor.settings import BrandSettings, Settings
from monitor.storage.digest_archive import archive_digest
from monitor.storage.engine import refresh_statistics
from monitor.storage.retention import Purged, purge

log = logging.getLogger("groundswell.jobs")


def source_usage(connector: Callable[[str], AnyConnector]) -> UsageLine:
    """Each source's budget line (paid APIs) for the digest's coverage section; "" when it has none."""
    def line(source_id: str, cursor: dict[str, Any] | None) -> str:
        try:
            return connector(source_id).usage(cursor)
        except GroundswellError:
            return ""
    return line


def yesterday(brand: BrandSettings, now: datetime) -> date:
    """The digest's day: yesterday in the brand's own timezone."""
    return (now.astimezone(ZoneInfo(brand.timezone)) - timedelta(days=1)).date()


def digest_due(brand: BrandSettings, now: datetime, hour: int, every: timedelta) -> bool:
    """For runners that check on a fixed beat (the worker): is ``now`` within ``every`` of the brand's hour?"""
    local = now.astimezone(ZoneInfo(brand.timezone))
    return hour >= 0 and local.hour == hour and timedelta(minutes=local.minute, seconds=local.second) < every


def digest_html(reports: Sequence[BrandDigest]) -> str:
    """The digest as one HTML page, its charts inline (what the preview file and the archive hold)."""
    return render_html(list(reports), [data_uri(chart_png(r)) for r in reports])


def write_digest(out: Path, reports: Sequence[BrandDigest], html: str | None = None) -> Path:
    """The HTML preview at ``out`` and the CSV of negative mentions beside it; returns the CSV's path."""
    out.write_text(html if html is not None else digest_html(reports), encoding="utf-8")
    csv_path = out.with_suffix(".csv")
    csv_path.write_text("".join(negatives_csv(r) for r in reports), encoding="utf-8")
    return csv_path


def send_digests(settings: Settings, notifiers: Mapping[str, AnyNotifier],
                 reports: Sequence[BrandDigest]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Send each report to every digest channel: (channels reached, "channel: why" failures)."""
    outcomes = [outcome for report in reports for outcome in deliver_digest(settings, notifiers, report)]
    return (tuple(o.channel for o in outcomes if o.error is None),
            tuple(f"{o.channel}: {o.error}" for o in outcomes if o.error is not None))


def run_digest(engine: Engine, settings: Settings, notifiers: Mapping[str, AnyNotifier], brand_id: str, *,
               now: datetime, usage: UsageLine | None = None) -> DigestResult:
    """The scheduled digest: yesterday (brand's local day) to <data_dir>/digests/, then to digest channels."""
    brand = settings.brand(brand_id)
    day = yesterday(brand, now)
    report = build_digest(engine, settings, brand, day, usage)
    folder = settings.app.data_dir / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{brand.id}-{day}.html"
    html = digest_html([report])
    write_digest(out, [report], html)
    log.info("digest for %s on %s written to %s", brand.id, day, out)
    sent, failed = send_digests(settings, notifiers, [report])
    archive_digest(engine, brand.id, day, html=html, text=render_text([report]), sent_to=sent, now=now)
    return DigestResult(brand.id, day, out, sent, failed)


def archive_sent(engine: Engine, report: BrandDigest, sent_to: Sequence[str], *, now: datetime) -> int:
    """Keep a digest that was sent (by `groundswell digest --send`) in the archive."""
    return archive_digest(engine, report.brand.id, report.day, html=digest_html([report]),
                          text=render_text([report]), sent_to=sent_to, now=now)


def run_retention(engine: Engine, settings: Settings, *, now: datetime) -> Purged:
    """Delete what is past its retention, in small transactions, then refresh the planner's statistics: a service's
    database starts empty, and without them SQLite counted a watched post's reactions over every mention since it
    (~1 CPU-s a pass after 90 minutes of the soak's feed) instead of through the indexes made for it."""
    purged = purge(engine, settings, now=now)
    refresh_statistics(engine)
    return purged
