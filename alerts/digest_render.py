"""Render a digest: a PNG chart (matplotlib), autoescaped HTML (Jinja2), and plain text."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, select_autoescape

from alerts.digest import BrandDigest
from alerts.escape import clean, safe_url

_ENV = Environment(loader=PackageLoader("alerts", "templates"), autoescape=select_autoescape(["html.j2"]),
                   trim_blocks=True, lstrip_blocks=True)
_ENV.filters["clean"] = lambda text, limit=280: clean(str(text), limit)
_ENV.filters["safe_url"] = safe_url


def chart_png(digest: BrandDigest) -> bytes:
    """Mentions per hour today (negative stacked) against the previous week's mean for that hour."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    hours = list(range(24))
    figure, axes = pyplot.subplots(figsize=(8, 2.8), dpi=100)
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
    pyplot.close(figure)
    return buffer.getvalue()


def render_html(digests: Sequence[BrandDigest], charts: Sequence[str]) -> str:
    """``charts`` are image sources: ``cid:...`` in an email, ``data:`` URIs in a preview file."""
    return _ENV.get_template("digest.html.j2").render(digests=list(zip(digests, charts, strict=True)))


def render_text(digests: Sequence[BrandDigest]) -> str:
    return _ENV.get_template("digest.txt.j2").render(digests=digests)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
