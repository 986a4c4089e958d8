"""Render a digest: a PNG chart (matplotlib), autoescaped HTML (Jinja2), and plain text."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from alerts.base import SEVERITY_NAMES, trigger_label
from alerts.digest import BrandDigest, plain_error
from alerts.escape import clean, safe_url
from alerts.render import SEVERITY_COLOR, followers_text
from monitor.logs import plural

WORSE, BETTER, NEUTRAL = "#c0392b", "#1e8449", "#555555"


@dataclass(frozen=True)
class Card:
    """One headline number: value, the change against the week before (arrow and words), its colour."""

    label: str
    value: str
    change: str
    color: str


def _arrow(delta: float) -> str:
    return "▲" if delta > 0 else "▼" if delta < 0 else "■"


def cards(d: BrandDigest) -> list[Card]:
    if d.has_history:
        change = (d.total - d.week_daily_mean) / d.week_daily_mean if d.week_daily_mean else 0.0
        volume = f"{_arrow(change)} {abs(change):.0%} vs {d.week_daily_mean:,.0f} a day last week"
        points = 100 * (d.negative_share - d.week_negative_share)
        share = f"{_arrow(points)} {abs(points):.0f} points vs {d.week_negative_share:.0%} last week"
        share_color = WORSE if points >= 5 else BETTER if points <= -5 else NEUTRAL
    else:
        volume = share = "no data yet for the week before"
        share_color = NEUTRAL
    serious = sum(i.severity >= 3 for i in d.incidents)
    out = [Card("Mentions", f"{d.total:,}", volume, NEUTRAL),
           Card("Negative", f"{d.negative_share:.0%}", f"{plural(d.negative, 'mention')}; {share}", share_color),
           Card("Incidents", str(len(d.incidents)), f"{serious} high or critical" if d.incidents else "none",
                WORSE if serious else NEUTRAL)]
    if d.responses:
        complaints, answered, median = d.responses
        late = complaints - answered
        out.append(Card("Answered", f"{answered} of {complaints}",
                        f"median {median:.0f} min" if median is not None else "none answered",
                        WORSE if late > answered else BETTER if complaints else NEUTRAL))
    return out


def incident_line(incident: object) -> str:
    """"#3 HIGH · Spike · Negative mentions are spiking: 41 negative mentions... (resolved)"."""
    severity = int(getattr(incident, "severity", 1))
    trigger = str(getattr(incident, "trigger", ""))
    label = trigger_label(trigger)
    reason = plain_error(str(getattr(incident, "reason", "")), 300)
    return (f"#{getattr(incident, 'id', '?')} {SEVERITY_NAMES.get(severity, str(severity)).upper()} · {label} · "
            f"{clean(str(getattr(incident, 'title', '')), 120, single_line=True)}: {reason} "
            f"({getattr(incident, 'status', '')})")


def joined_line(held: object) -> str:
    """"#7 @sam (900k followers): "cancelling my subscription..." (held by the page budget, not paged)"."""
    followers = getattr(held, "followers", None)
    audience = f" ({followers_text(followers)})" if followers is not None else ""
    text = clean(str(getattr(held, "text", "")), 140, single_line=True)
    said = f': "{text}"' if text else ""
    handle = clean(str(getattr(held, "handle", "")), 60, single_line=True)
    return f"#{getattr(held, 'incident_id', '?')} @{handle}{audience}{said} ({getattr(held, 'why', '')})"


_ENV = Environment(loader=PackageLoader("alerts", "templates"), autoescape=select_autoescape(["html.j2"]),
                   trim_blocks=True, lstrip_blocks=True)
_ENV.filters["clean"] = lambda text, limit=280: clean(str(text), limit)
_ENV.filters["safe_url"] = safe_url
_ENV.filters["followers"] = lambda n: followers_text(n) or "followers unknown"
_ENV.filters["incident"] = incident_line
_ENV.filters["joined"] = joined_line
_ENV.filters["trigger"] = trigger_label
_ENV.filters["severity_color"] = lambda severity: SEVERITY_COLOR.get(int(severity), "#828282")
_ENV.globals["cards"] = cards


def chart_png(digest: BrandDigest) -> bytes:
    """Mentions per hour today (negative stacked) against the previous week's mean for that hour."""
    # The object API, imported here: pyplot's import (backends, font cache, global state) cost 3.9 s of a
    # digest's profile and is not needed to draw one PNG.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    hours = list(range(24))
    figure = Figure(figsize=(8, 2.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    other = [total - negative for total, negative, _ in digest.hourly]
    axes.bar(hours, [negative for _, negative, _ in digest.hourly], color="#eb5757", label="negative")
    axes.bar(hours, other, bottom=[negative for _, negative, _ in digest.hourly], color="#9db4d0",
             label="other")
    axes.plot(hours, [mean for _, _, mean in digest.hourly], color="#333333", linestyle="--",
              label="previous week, mean")
    axes.set_xlabel(f"hour ({digest.brand.timezone})")
    axes.set_ylabel("mentions")
    axes.set_xticks(range(0, 24, 3))
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render_html(digests: Sequence[BrandDigest], charts: Sequence[str]) -> str:
    """``charts`` are image sources: ``cid:...`` in an email, ``data:`` URIs in a preview file."""
    return _ENV.get_template("digest.html.j2").render(digests=list(zip(digests, charts, strict=True)))


def render_text(digests: Sequence[BrandDigest]) -> str:
    return _ENV.get_template("digest.txt.j2").render(digests=digests)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
