"""Line charts as inline SVG, computed here and drawn by templates/_chart.html (no JavaScript, no pyplot)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_BOTTOM, PAD_TOP = 960, 220, 44, 28, 24, 10
COLOURS = ("#c0392b", "#2c6fbb", "#999999", "#8e44ad")


@dataclass(frozen=True)
class Line:
    name: str
    points: str  # "x,y x,y ..." for <polyline points=...>
    colour: str
    dashed: bool
    width: int  # the first line is drawn widest, so a line hidden under the next still shows


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    title: str


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    return float(((int(value) // step) + 1) * step)


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float], bool]], *,
               percent: bool = False) -> Chart:
    """One polyline per (name, values, dashed); x labels thinned to at most eight."""
    top = 1.0 if percent else _nice_max(max((max(v, default=0) for _, v, _ in series), default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_BOTTOM - PAD_TOP
    count = max(1, len(labels) - 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return PAD_LEFT + plot_w * index / count, PAD_TOP + plot_h * (1 - min(value, top) / top)

    lines = [Line(name, " ".join("{:.1f},{:.1f}".format(*xy(i, v)) for i, v in enumerate(values)),
                  COLOURS[n % len(COLOURS)], dashed, 4 if n == 0 else 2)
             for n, (name, values, dashed) in enumerate(series)]
    every = max(1, len(labels) // 8 + (len(labels) % 8 > 0))
    x_ticks = [Tick(xy(i, 0)[0], HEIGHT - 6, label) for i, label in enumerate(labels) if i % every == 0]
    y_ticks = [Tick(PAD_LEFT - 4, xy(0, top * f)[1] + 4, f"{top * f:.0%}" if percent else f"{top * f:g}")
               for f in (0, 0.5, 1)]
    return Chart(WIDTH, HEIGHT, lines, x_ticks, y_ticks, title)
