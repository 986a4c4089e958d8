"""Send the daily digest: HTML email with the chart inline and the CSV attached; a summary elsewhere.

Channels opt in with ``digest = true``.  Email channels get the full report; every other kind
(Slack, webhook, console...) gets a one-paragraph summary through its ordinary ``send``.  The
idempotency key is per brand and day, so a restarted service does not send a digest twice where
the channel can tell (email Message-ID, webhook Idempotency-Key).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid

from alerts.base import AlertMessage, AnyNotifier
from alerts.digest import BrandDigest, negatives_csv
from alerts.digest_render import chart_png, render_html, render_text
from monitor.errors import DeliveryError
from monitor.settings import Settings

log = logging.getLogger("groundswell.digest")


def digest_email(report: BrandDigest) -> EmailMessage:
    """multipart/mixed: (text | related(HTML, chart PNG)) + the day's negative mentions as CSV."""
    message = EmailMessage()
    message["Subject"] = f"[Groundswell] {report.brand.name} daily digest, {report.day.isoformat()}"
    chart_id = make_msgid(domain="groundswell.invalid")
    message.set_content(render_text([report]))
    message.add_alternative(render_html([report], [f"cid:{chart_id[1:-1]}"]), subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(chart_png(report), maintype="image", subtype="png", cid=chart_id,
                          filename="mentions-by-hour.png")
    message.add_attachment(negatives_csv(report).encode("utf-8"), maintype="text", subtype="csv",
                           filename=f"{report.brand.id}-{report.day.isoformat()}-negative.csv")
    return message


def summary(report: BrandDigest) -> str:
    from alerts.digest_render import cards, incident_line

    headline = "; ".join(f"{c.label} {c.value} ({c.change})" for c in cards(report))
    incidents = " ".join(incident_line(i) for i in report.incidents[:5]) or "none"
    down = [f"{source}: {status}" for source, status in report.coverage if not status.startswith("ok")]
    return (f"{headline}. Incidents: {incidents}."
            + (f" Coverage problems: {'; '.join(down)}." if down else " All sources reported."))


@dataclass(frozen=True)
class DigestDelivery:
    channel: str
    error: str | None = None  # None: sent

    @property
    def line(self) -> str:
        return f"digest to {self.channel} failed: {self.error}" if self.error else f"digest sent to {self.channel}"


def deliver_digest(settings: Settings, notifiers: Mapping[str, AnyNotifier],
                   report: BrandDigest) -> list[DigestDelivery]:
    """Deliver to every channel with ``digest = true``; one outcome per channel."""
    key = f"gs-digest-{report.brand.id}-{report.day.isoformat()}"
    outcomes = []
    for channel in settings.channels:
        notifier = notifiers.get(channel.id)
        if not channel.digest or notifier is None:
            continue
        try:
            deliver = getattr(notifier, "deliver", None)
            if deliver is not None:
                deliver(digest_email(report), idempotency_key=key)
            else:
                notifier.send(_summary_message(report), idempotency_key=f"{key}-{channel.id}")
            outcomes.append(DigestDelivery(channel.id))
        except DeliveryError as exc:
            log.error("digest for %s to %s failed: %s", report.brand.id, channel.id, exc)
            outcomes.append(DigestDelivery(channel.id, str(exc)))
    return outcomes


def send_digest(settings: Settings, notifiers: Mapping[str, AnyNotifier], report: BrandDigest) -> list[str]:
    """Deliver to every channel with ``digest = true``; return a line per channel (for people)."""
    return [outcome.line for outcome in deliver_digest(settings, notifiers, report)]


def _summary_message(report: BrandDigest) -> AlertMessage:
    return AlertMessage(alert_id=0, incident_id=0, event="digest", brand_id=report.brand.id,
                        brand_name=report.brand.name, severity=1,
                        title=f"Daily digest for {report.day.isoformat()}", reason=summary(report),
                        trigger="digest", opened_at=datetime.now(UTC))
