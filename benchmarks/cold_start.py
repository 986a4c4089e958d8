"""Day-one bursts and ordinary first days of many simulated brands, through the service's BrandDetector; prints JSON.

    nice python benchmarks/cold_start.py                  # report half (seeds 1000+)
    nice python benchmarks/cold_start.py --half tune      # tune half (seeds 0+): tune on this one only
    nice python benchmarks/cold_start.py --brands 40
    nice python benchmarks/cold_start.py --half tune --backfill-hours 6   # as a live X source's first poll
    nice python benchmarks/cold_start.py --half tune --watched-minutes-before 360   # an empty 6 h first poll
    nice python benchmarks/cold_start.py --half tune --watched-minutes-before 360 --bursts-within-minutes 10

Each brand has a usual rate of negative people per 5 minutes drawn log-uniformly from 0.2 to 10 (a daily
shape: 0.3x at night to 1.7x at the daily peak, its phase random), each mention posted at a random second, with
about three ordinary mentions per negative one, each person once. A *burst brand* gets 30-40 extra negative people
at random moments within 15 minutes, starting at a random minute: a quarter in its first hour of monitoring, the
rest anywhere in days one to three. An *ordinary brand* runs three days with no burst. Mentions go to
``BrandDetector.run`` one 5-minute pass at a time, 61 s after each bucket closes, as the pipeline does.

``--backfill-hours H``: the first pass also holds the H hours of posts before monitoring began, as a live
connector's first poll does (X reads back 6 h, the other sources 24 h; the detector learns them as the brand's
past); without it the brand has no past at all, as in a backtest, whose clock starts at the file's first post.
*Complaint-heavy brands* (every page false): 100 brands at each usual negative share of 50 / 67 / 80 % (one, two
or four complaints to every other mention; the same rates and daily shape), first 3 hours of monitoring.
``--watched-minutes-before M``: the brand's sources had watched it for M minutes before monitoring began and seen
nothing (an empty first poll; the service knows it from ``sources.last_success_at`` less each source's lookback,
``warmup.watched_since``), so ``detection/watched.py`` judges its first 30 minutes. Every simulated brand then
starts at its full rate at 10:00 out of nothing: the worst case for false pages (a brand with 5-10 complaints per 5
minutes would not have had an empty 6-hour lookback). ``--bursts-within-minutes 10``: every burst begins in the
first 10 minutes (80 such bursts instead of 4-5); ``--watched-*`` set watched.py's constants (tuning).

Delays are from the burst's first person to the pass that opens the spike incident (the user's view: "it
started at 10:03, I was paged at 10:11"), in minutes. Per band of rate: the share paged within 10 and 15
minutes (plus the 61 s the pass waits after a bucket closes), the median delay, the share never paged by volume
within 35 minutes, and spike pages per ordinary brand over three days (every page counts). First-hour bursts are
also reported on their own.

Measured (2026-12-07, ``--half report``, 80 + 40 brands, 103 CPU-s): 67.5 % of bursts paged within 10 min
(+61 s), 77.5 % within 15, median 8.3 min, 17.5 % never (5 of the 7 first-hour bursts never paged began in the
brand's first 10 minutes, the other 2 were on brands above 2 per 5 min); by rate 0.2-1 / 1-3 / 3-6 / 6-10 per
5 min: within 10 min 84 / 67 / 50 / 30 %, within 15 84 / 95 / 67 / 30 %; ordinary brands 0.025 pages each over
three days (1 of 40: a day-two record). Tune half, old (cold test from the 7th bucket) vs new (4th): within
15 min 80 -> 82.5 %, first-hour bursts 60 -> 70 %, false pages 0.05 per brand both (1 of 20: a day-three record).

Backfill and complaint-heavy brands (2026-12-07, old = main at 08af09e, new = a new brand's first pass pages no
spike that ended over an hour before it; bursts were identical old and new on every run below):
``--half tune``: within 10 min 67.5 %, first hour 40 %, complaint-heavy pages 0 / 0 / 0 (50 / 67 / 80 %), ordinary
0.025 per brand, old = new. ``--half tune --backfill-hours 6``: within 10 min 68.8 %, within 15 85 %, first hour
40 -> 65 % within 10 (the backfill alone: no brand is cold at 10:00); complaint-heavy 1 / 0 / 0 -> 0 / 0 / 0 (a
rise after the backfill's quiet first quarter hour, "in the first 15 min of monitoring"), ordinary 0.05 both.
``--half report --backfill-hours 6``: within 10 min 71.3 %, within 15 86.3 %, first hour 80 % (55 % without
backfill), complaint-heavy 0 / 1 / 0 -> 0 / 0 / 0, ordinary 0.05 -> 0.025. ``--half report``: old = new (above).
``--half tune --backfill-hours 24`` (the other sources), old = new: within 10 min 61.3 %, first hour 75 %, but
after the first hour 56.7 % (76.7 % without backfill: with a day of past the record test, slower than the cold
test, takes over a day earlier), complaint-heavy 0 / 0 / 0, ordinary 0.05.
Tried and left out (tune, no backfill): the cold test from the third bucket instead of the fourth, a growth test
between the first buckets: within 10 min 67.5 -> 70 %, but complaint-heavy 4 / 1 / 0 and ordinary 0.025 -> 0.15.

Watched, empty past (issue 12; 2026-12-07, old = main at d534636, new = watched.py: in a watched-empty brand's first
30 minutes, 12+ negative people in 5 minutes or 18+ in 10, at least 88 % of those minutes' mentions negative and 3x
the people per 5 minutes of its buckets before them, pages). Without ``--watched-minutes-before`` (no source has
polled, as in a backtest) and with ``--backfill-hours 6``, new = old on tune (JSON identical); watched.py acts only
on a watched-empty past. Tune, ``--watched-minutes-before 360``: bursts in the first 10 minutes paged within 10 min
0 / 4 -> 2 / 4, first hour 40 -> 55 %, all 67.5 -> 71.3 %, after the first hour unchanged, ordinary 0.025 both,
complaint-heavy 0 / 0 / 0 both; with ``--bursts-within-minutes 10``: within 10 min 0 -> 20 %, within 15 18.8 ->
35 %, never 77.5 -> 63.8 % (by rate 0.2-1 per 5 min: within 10 0 -> 41 %; above 1 per 5 min a burst is mostly not
told from an ordinary brand starting), ordinary 0.025 and complaint-heavy 0 / 0 / 0 both. Report, read once,
``--watched-minutes-before 360``: first 10 minutes 0 / 5 -> 4 / 5 within 10 (5 / 5 within 15), first hour 55 ->
75 %, all 67.5 -> 72.5 %, ordinary 0.025 both, but complaint-heavy 0 / 0 / 0 -> 0 / 0 / 2 (two 80 % brands at 5-8
complaints per 5 minutes whose first 5 minutes held 12-15 negative people and one other mention); with
``--bursts-within-minutes 10``: within 10 min 0 -> 33.8 % (0.2-1 per 5 min: 65 %), within 15 16.3 -> 51.3 %, never
71.3 -> 43.8 %, the same 0 / 0 / 2. Tried on tune: hours of observed zeros before the first mention (the detector's
clock starting at the empty poll's lookback) and an 85 % share until the usual share is known: ordinary 0.025 ->
0.175 (the zeros hold the cold rate down for hours), complaint-heavy 8 / 3 / 15, bursts after the first hour 76.7 ->
56.7 % within 10; an 85 % bar 0 / 0 / 5; 15-minute windows 2 pages in 200 80 % brands.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.detection import watched  # noqa: E402
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
GRACE = timedelta(seconds=61)
DAYS = 3
BANDS = ((0.2, 1.0), (1.0, 3.0), (3.0, 6.0), (6.0, 10.0))
HALVES = {"tune": 0, "report": 1000}
COMPLAINT_SHARES = (0.5, 0.67, 0.8)
COMPLAINT_HOURS = 3
WAVE: list[bool | None] = [None]  # --wave on / off: the slow-wave test, else the default
BACKFILL = [0]  # buckets of posts before monitoring began, handed to the first pass (--backfill-hours)
WATCHED = [0.0]  # minutes the sources watched before monitoring began and saw nothing (--watched-minutes-before)
EARLY = [0.0]  # > 0: every burst begins within this many minutes of monitoring (--bursts-within-minutes)


class Brand:
    """One simulated brand's mentions, bucket by bucket."""

    def __init__(self, rng: random.Random, rate: float, burst_at: datetime | None, burst_people: int,
                 calm: float = 3.0) -> None:
        self.rng, self.rate, self.phase, self.seq, self.calm = rng, rate, rng.uniform(0, 24), 0, calm
        self.burst = sorted(burst_at + timedelta(seconds=rng.uniform(0, 900)) for _ in range(burst_people)) \
            if burst_at else []

    def bucket(self, start: datetime) -> list[Observation]:
        hour = (start - START).total_seconds() / 3600 + self.phase
        lam = self.rate * (1.0 + 0.7 * math.sin(hour / 24 * 2 * math.pi))
        out = [self._one(self._second(start), True) for _ in range(poisson(self.rng, lam))]
        out += [self._one(self._second(start), False) for _ in range(poisson(self.rng, self.calm * lam))]
        return out + [self._one(t, True, "b") for t in self.burst if start <= t < start + STEP]

    def _second(self, start: datetime) -> datetime:
        return start + timedelta(seconds=self.rng.uniform(0, 299))

    def _one(self, at: datetime, negative: bool, tag: str = "u") -> Observation:
        self.seq += 1
        text = f"{'cannot log in since noon' if negative else 'nice new app'} {tag}{self.seq} {self.rng.random()}"
        return Observation(at, f"{tag}{self.seq}", 0.9 if negative else 0.1, negative, text, ref=str(self.seq))


def poisson(rng: random.Random, lam: float) -> int:
    count, p, limit = 0, rng.random(), math.exp(-lam)
    while p >= limit:
        count, p = count + 1, p * rng.random()
    return count


def replay(brand: Brand, buckets: int) -> list[tuple[datetime, Any]]:
    """(pass time, finding) of every spike page (openings, not escalations) over ``buckets`` passes.

    With ``BACKFILL`` hours the first pass also holds the posts of those hours before monitoring began, as a live
    connector's first poll does (X looks back 6 h, the others 24 h); a page about one of those buckets is dated
    at its bucket (before monitoring began: never the burst's)."""
    cfg = BrandConfig.for_sensitivity("default")
    cfg = replace(cfg, wave=replace(cfg.wave, enabled=WAVE[0])) if WAVE[0] is not None else cfg
    det, out = BrandDetector(cfg), []
    if WATCHED[0] > 0:
        det.watch_from(START - timedelta(minutes=WATCHED[0]))  # the pipeline's watched_since: an empty first poll
    history = [o for i in range(-BACKFILL[0], 0) for o in brand.bucket(START + i * STEP)]
    for i in range(buckets):
        start = START + i * STEP
        found = det.run((history if i == 0 else []) + brand.bucket(start), start + STEP + GRACE)
        out += [(min(start + STEP + GRACE, _opened(f)) if i == 0 else start + STEP + GRACE, f)
                for f in found if f.kind == "spike" and not f.escalation]
    return out


def _opened(finding: Any) -> datetime:
    """A page of the first pass about a backfilled bucket: dated at that bucket."""
    opened = datetime.strptime(finding.key.split(":", 1)[1], "%Y%m%dT%H%M").replace(tzinfo=UTC)
    return opened if opened < START else START + STEP + GRACE


def burst_case(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    rate = math.exp(rng.uniform(math.log(0.2), math.log(10.0)))
    minutes = rng.uniform(0, 60) if seed % 4 == 0 else rng.uniform(60, DAYS * 1440 - 60)
    minutes = minutes * EARLY[0] / (60 if seed % 4 == 0 else DAYS * 1440) if EARLY[0] else minutes
    at, people = START + timedelta(minutes=minutes), rng.randint(30, 40)
    brand = Brand(rng, rate, at, people)
    buckets = int((at - START) / STEP) + 8  # up to 35-40 minutes after the burst began
    pages = replay(brand, buckets)
    before = [p for p, _ in pages if p < at]
    after = [(p, f) for p, f in pages if p >= at]
    delay = (after[0][0] - at).total_seconds() / 60 if after else None
    return {"seed": seed, "rate": round(rate, 2), "hour": round(minutes / 60, 2), "people": people,
            "delay_min": None if delay is None else round(delay, 1), "paged_before": len(before),
            "reason": after[0][1].reason if after else ""}


def ordinary_case(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    rate = math.exp(rng.uniform(math.log(0.2), math.log(10.0)))
    pages = replay(Brand(rng, rate, None, 0), DAYS * 288)
    return {"seed": seed, "rate": round(rate, 2), "pages": len(pages), "reasons": [f.reason for _, f in pages][:3]}


def complaint_case(seed: int, share: float) -> dict[str, Any]:
    """A brand whose ordinary mentions are mostly complaints (a customer-care handle, an airline): first 3 hours."""
    rng = random.Random(seed)
    rate = math.exp(rng.uniform(math.log(0.2), math.log(10.0)))
    pages = replay(Brand(rng, rate, None, 0, calm=(1.0 - share) / share), COMPLAINT_HOURS * 12)
    return {"seed": seed, "rate": round(rate, 2), "share": share, "pages": len(pages),
            "reasons": [f.reason for _, f in pages][:2]}


def complaint_heavy(base: int, brands: int) -> dict[str, Any]:
    """Spike pages in the first 3 hours of ``brands`` brands at each usual negative share (every page is false)."""
    out: dict[str, Any] = {}
    for j, share in enumerate(COMPLAINT_SHARES):
        cases = [complaint_case(base + 2000 + 1000 * j + s, share) for s in range(brands)]
        out[f"{share:.0%}"] = {"brands": brands, "pages": sum(c["pages"] for c in cases),
                               "brands_paged": sum(c["pages"] > 0 for c in cases),
                               "examples": [c for c in cases if c["pages"]][:2]}
    return out


def summary(bursts: list[dict[str, Any]]) -> dict[str, Any]:
    delays = [b["delay_min"] for b in bursts]
    got = sorted(d for d in delays if d is not None)
    n = max(len(bursts), 1)
    slack = GRACE.total_seconds() / 60  # the pass runs 61 s after a bucket closes, as the tests allow
    return {"bursts": len(bursts), "within_10_min": round(sum(d <= 10 + slack for d in got) / n, 3),
            "within_15_min": round(sum(d <= 15 + slack for d in got) / n, 3),
            "median_delay_min": statistics.median(got) if got else None,
            "never_paged": round(sum(d is None for d in delays) / n, 3),
            "paged_before_burst": sum(b["paged_before"] > 0 for b in bursts)}


def band_of(rate: float) -> str:
    lo, hi = next(b for b in BANDS if b[0] <= rate < b[1] or b == BANDS[-1])
    return f"{lo}-{hi}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", choices=sorted(HALVES), default="report")
    ap.add_argument("--brands", type=int, default=80, help="burst brands (ordinary brands: half as many)")
    ap.add_argument("--backfill-hours", type=float, default=0.0,
                    help="hours of posts before monitoring began in the first pass (a live connector's first poll)")
    ap.add_argument("--watched-minutes-before", type=float, default=0.0,
                    help="the sources watched this long before monitoring began and saw nothing (an empty first poll)")
    ap.add_argument("--bursts-within-minutes", type=float, default=0.0,
                    help="every burst begins within this many minutes of monitoring (many first-minutes cases)")
    ap.add_argument("--watched-early-minutes", type=float, help="watched.WATCHED_EARLY_S in minutes (tuning)")
    ap.add_argument("--watched-min-people", type=float, help="watched.WATCHED_MIN_PEOPLE (tuning)")
    ap.add_argument("--watched-share-bar", type=float, help="watched.WATCHED_SHARE_BAR (tuning)")
    ap.add_argument("--watched-rise", type=float, help="watched.WATCHED_RISE (tuning)")
    ap.add_argument("--watched-more-people", type=float, help="watched.WATCHED_MORE_PEOPLE (tuning)")
    ap.add_argument("--watched-windows", type=int, help="watched.WINDOWS: 1 to this many buckets (tuning)")
    ap.add_argument("--complaint-brands", type=int, default=100, help="complaint-heavy brands per negative share")
    ap.add_argument("--wave", choices=["on", "off"], help="the slow-wave test (detection/wave.py) on or off")
    args = ap.parse_args()
    BACKFILL[0] = round(args.backfill_hours * 12)
    WAVE[0] = None if args.wave is None else args.wave == "on"
    WATCHED[0], EARLY[0] = args.watched_minutes_before, args.bursts_within_minutes
    if args.watched_early_minutes is not None:
        watched.WATCHED_EARLY_S = args.watched_early_minutes * 60.0
    if args.watched_min_people is not None:
        watched.WATCHED_MIN_PEOPLE = args.watched_min_people
    if args.watched_share_bar is not None:
        watched.WATCHED_SHARE_BAR = args.watched_share_bar
    if args.watched_rise is not None:
        watched.WATCHED_RISE = args.watched_rise
    if args.watched_more_people is not None:
        watched.WATCHED_MORE_PEOPLE = args.watched_more_people
    if args.watched_windows is not None:
        watched.WINDOWS = tuple(range(1, args.watched_windows + 1))
    base, cpu = HALVES[args.half], time.process_time()
    bursts = [burst_case(base + s) for s in range(args.brands)]
    quiet = [ordinary_case(base + 500 + s) for s in range(args.brands // 2)]
    bands: dict[str, Any] = {}
    for lo, hi in BANDS:
        name = f"{lo}-{hi}"
        mine = [b for b in bursts if band_of(b["rate"]) == name]
        calm = [q for q in quiet if band_of(q["rate"]) == name]
        bands[name] = {**summary(mine), "ordinary_brands": len(calm),
                       "false_pages_per_brand_3d": round(sum(q["pages"] for q in calm) / max(len(calm), 1), 3)}
    first_hour = [b for b in bursts if b["hour"] < 1]
    slow = sorted((b for b in bursts if b["delay_min"] is None or b["delay_min"] > 10), key=lambda b: b["rate"])
    delay_from = "the burst's first person to the pass that pages (within N: N min + the 61 s pass grace)"
    print(json.dumps({"half": args.half, "backfill_hours": args.backfill_hours,
                      "watched_minutes_before": args.watched_minutes_before, "delay_from": delay_from,
                      "all": summary(bursts), "first_hour": summary(first_hour),
                      "first_10_min": summary([b for b in bursts if b["hour"] < 1 / 6]),
                      "after_first_hour": summary([b for b in bursts if b["hour"] >= 1]), "bands": bands,
                      "false_pages_per_brand_3d": round(sum(q["pages"] for q in quiet) / max(len(quiet), 1), 3),
                      "false_page_examples": [q for q in quiet if q["pages"]][:3],
                      "complaint_heavy_first_3h_pages": complaint_heavy(base, args.complaint_brands),
                      "slow_or_missed": slow[:12], "example_page": next((b for b in bursts if b["reason"]), None),
                      "cpu_s": round(time.process_time() - cpu, 1)}, indent=1))


if __name__ == "__main__":
    main()
