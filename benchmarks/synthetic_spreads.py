"""Synthetic spreads: Hawkes cascades of near-duplicate complaints injected into real background volume.

Background: each NAB realTweets series gives the number of mentions per 5 minutes of a real brand
(including its real volume spikes and bot bursts); we turn every count into that many generated
mentions (15 % negative, a share of them recurring generic phrases that cluster by themselves).
Cascades: self-exciting (Hawkes) processes of one grievance repeated with small edits by new
authors, 30 % of them sarcasm that a sentiment model scores neutral. Shapes: fast (short delays,
branching > 1), slow (long delays), fizzle (branching 0.5, at most 6 authors: must NOT page).
Reported: recall for spreads that reach 20 unique authors within 2 h, median/p90 delay from onset and
from the 10th unique author, false alerts per brand per week (everything outside a real spread's
span, fizzle alerts included), and detection time per brand pass.

One cascade every 60 h (fast, slow, fizzle in turn) during a 28-day evaluation after a 7-day warm-up.
Usage: ``nice python benchmarks/synthetic_spreads.py [DATA_DIR] [--sensitivity default] [--seed 1]``.
The detector's defaults were set on the NAB series and unit tests, not on this benchmark's seed.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402
from monitor.replay.series import parse_timestamp  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "nab-realtweets"
SHAPES = {"fast": (1.3, 5.0), "slow": (1.3, 20.0), "fizzle": (0.5, 10.0)}  # branching, mean delay (min)
GRIEVANCES = [
    "your app update wiped my saved cards and support just closed my ticket",
    "three weeks waiting for a refund and customer service keeps hanging up on me",
    "charged twice for the same order and nobody answers the phone",
    "the new firmware bricked my device and the store refuses to replace it",
    "my parcel was marked delivered but it never arrived and chat blames me",
    "your outage took our whole shop offline and there is still no status update",
]


@dataclass
class Cascade:
    shape: str
    onset: float
    events: list[tuple[float, str, str, float, bool]] = field(default_factory=list)  # ts, author, text, p, neg

    def author_time(self, k: int) -> float | None:
        """Time the k-th unique author (1-based) joined."""
        seen: dict[str, float] = {}
        for ts, author, *_ in self.events:
            seen.setdefault(author, ts)
        times = sorted(seen.values())
        return times[k - 1] if len(times) >= k else None


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    letters = "etaoinshrdlucmfwypvbgkqjxz"
    return ["".join(rng.choices(letters[:18], k=rng.randint(3, 9))) for _ in range(size)]


def background_text(rng: random.Random, vocab: list[str], generic: list[str]) -> str:
    if rng.random() < 0.3:
        return f"{rng.choice(generic)} {' '.join(rng.choices(vocab, k=rng.randint(0, 3)))}"
    return " ".join(rng.choices(vocab, k=rng.randint(6, 14)))


def mutate(text: str, rng: random.Random, vocab: list[str]) -> str:
    words = text.split()
    if rng.random() < 0.4 and len(words) > 6:
        words.pop(rng.randrange(len(words)))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(vocab))
    prefix = rng.choice(["", "RT ", "@brand ", "this! ", "same here: "])
    return prefix + " ".join(words) + rng.choice(["", " #fail", " smh", " unbelievable", " wow"])


def make_cascade(shape: str, onset: float, rng: random.Random, vocab: list[str]) -> Cascade:
    """Hawkes cascade by generations; fizzles are redrawn until they die with 2..6 authors."""
    branching, delay_min = SHAPES[shape]
    base = rng.choice(GRIEVANCES)
    for _ in range(200):
        times, queue, horizon = [onset], [onset], onset + 8 * 3600
        while queue and len(times) < 160:
            parent = heapq.heappop(queue)
            for _ in range(_poisson(rng, branching)):
                child = parent + rng.expovariate(1.0 / (delay_min * 60))
                if child < horizon:
                    times.append(child)
                    heapq.heappush(queue, child)
        if shape != "fizzle" or 2 <= len(times) <= 6:
            break
    cas = Cascade(shape, onset)
    for i, ts in enumerate(sorted(times)):
        author = f"c{onset:.0f}-{i}" if rng.random() > 0.05 or i == 0 else f"c{onset:.0f}-{i - 1}"
        sarcasm = rng.random() < 0.3
        p = rng.uniform(0.2, 0.45) if sarcasm else rng.uniform(0.7, 0.97)
        cas.events.append((ts, author, mutate(base, rng, vocab), p, not sarcasm))
    return cas


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, pow(2.718281828459045, -lam)
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def load_series(path: Path) -> list[tuple[float, int]]:
    with path.open(newline="") as handle:
        return [(parse_timestamp(r["timestamp"]).timestamp(), int(float(r["value"] or 0)))
                for r in csv.DictReader(handle)]


def simulate(path: Path, cfg: BrandConfig, seed: int, warm_days: int, eval_days: int) -> dict[str, object]:
    """Run one brand: warm-up, then an evaluation period with a cascade every 60 h."""
    rng = random.Random(f"{seed}-{path.name}")
    vocab = vocabulary(rng)
    generic = [" ".join(rng.choices(vocab, k=rng.randint(3, 6))) for _ in range(60)]
    series = load_series(path)
    start = series[0][0] - series[0][0] % 300
    eval_start, end = start + warm_days * 86400, start + (warm_days + eval_days) * 86400
    cascades, t, k = [], eval_start + 3600, 0
    while t < end - 8 * 3600:
        cascades.append(make_cascade(["fast", "slow", "fizzle"][k % 3], t + rng.uniform(0, 3600), rng, vocab))
        t += 60 * 3600
        k += 1
    injected = sorted((ev, ci) for ci, c in enumerate(cascades) for ev in c.events)
    det, alerts, timings, j, n_mentions = BrandDetector(cfg), [], [], 0, 0
    for ts, count in series:
        if ts >= end:
            break
        obs = []
        for _ in range(count):
            neg = rng.random() < 0.15
            obs.append(Observation(datetime.fromtimestamp(ts + rng.uniform(0, 299), UTC), f"u{rng.randint(0, 10**7)}",
                                   rng.uniform(0.6, 0.95) if neg else rng.uniform(0.0, 0.4), neg,
                                   background_text(rng, vocab, generic), followers=rng.randint(0, 5000)))
        while j < len(injected) and injected[j][0][0] < ts + 300:
            (ets, author, text, p, neg), _ = injected[j]
            obs.append(Observation(datetime.fromtimestamp(ets, UTC), author, p, neg, text, followers=300))
            j += 1
        n_mentions += len(obs)
        now = datetime.fromtimestamp(ts + 360, UTC)
        began = time.perf_counter()
        found = det.run(obs, now)
        timings.append(time.perf_counter() - began)
        if ts >= eval_start:
            alerts += [(now.timestamp(), f.kind) for f in found if f.kind in ("spike", "story") and not f.escalation]
    return score_brand(path.stem, cascades, alerts, eval_days, timings, n_mentions)


def score_brand(name: str, cascades: list[Cascade], alerts: list[tuple[float, str]], eval_days: int,
                timings: list[float], n_mentions: int) -> dict[str, object]:
    spans = [(c.onset, (c.events[-1][0] if c.events else c.onset) + 3600, c) for c in cascades]
    false, hits, false_kinds = 0, [], {"spike": 0, "story": 0}
    used: set[int] = set()
    for ts, kind in alerts:
        owner = next((i for i, (a, b, _) in enumerate(spans) if a <= ts <= b), None)
        if owner is None or spans[owner][2].shape == "fizzle":
            false += 1
            false_kinds[kind] += 1
        elif owner not in used:
            used.add(owner)
            hits.append((owner, ts, kind))
    rows = []
    for i, c in enumerate(cascades):
        t20 = c.author_time(20)
        hit = next(((ts, kind) for o, ts, kind in hits if o == i), None)
        rows.append({"shape": c.shape, "authors": len({e[1] for e in c.events}),
                     "qualifies": t20 is not None and t20 - c.onset <= 7200,
                     "detected": hit is not None, "by": hit[1] if hit else None,
                     "delay_onset_min": round((hit[0] - c.onset) / 60, 1) if hit else None,
                     "delay_10th_min": round((hit[0] - (c.author_time(10) or c.onset)) / 60, 1) if hit else None})
    return {"brand": name, "cascades": rows, "false_alerts": false, "false_by_kind": false_kinds,
            "weeks": eval_days / 7,
            "mentions": n_mentions, "pass_ms_mean": 1000 * statistics.fmean(timings),
            "pass_ms_p99": 1000 * sorted(timings)[int(0.99 * (len(timings) - 1))]}


def summarise(results: list[dict[str, object]], sensitivity: str) -> dict[str, object]:
    rows = [r for res in results for r in res["cascades"]]  # type: ignore[attr-defined]
    qual = [r for r in rows if r["qualifies"]]
    found = [r for r in qual if r["detected"]]
    fizz = [r for r in rows if r["shape"] == "fizzle"]
    weeks = sum(float(res["weeks"]) for res in results)  # type: ignore[arg-type]

    def pct(values: list[float], q: float) -> float | None:
        return round(sorted(values)[min(int(q * len(values)), len(values) - 1)], 1) if values else None

    onset = [float(r["delay_onset_min"]) for r in found]
    tenth = [float(r["delay_10th_min"]) for r in found]
    per_brand = {str(res["brand"]): {"false_alerts": res["false_by_kind"], "mentions": res["mentions"],
                                     "pass_ms_mean": round(float(res["pass_ms_mean"]), 3),  # type: ignore[arg-type]
                                     "pass_ms_p99": round(float(res["pass_ms_p99"]), 3)}  # type: ignore[arg-type]
                 for res in results}
    by_shape = {s: {"n": sum(r["shape"] == s for r in rows), "qualifying": sum(r["shape"] == s for r in qual),
                    "detected": sum(r["shape"] == s and r["detected"] for r in rows)} for s in SHAPES}
    return {"sensitivity": sensitivity, "qualifying_spreads": len(qual),
            "recall": round(len(found) / len(qual), 3) if qual else None,
            "delay_from_onset_min": {"median": pct(onset, 0.5), "p90": pct(onset, 0.9)},
            "delay_from_10th_author_min": {"median": pct(tenth, 0.5), "p90": pct(tenth, 0.9)},
            "fizzles": len(fizz), "fizzles_alerted": sum(bool(r["detected"]) for r in fizz),
            "false_alerts_per_brand_week": round(sum(int(res["false_alerts"]) for res in results) / weeks, 3),
            "detected_by": {k: sum(r["by"] == k for r in found) for k in ("story", "spike")},
            "by_shape": by_shape, "brands": per_brand}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synthetic spread benchmark")
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sensitivity", default="default", choices=["low", "default", "high"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm-days", type=int, default=7)
    parser.add_argument("--eval-days", type=int, default=28)
    args = parser.parse_args(argv)
    cfg = BrandConfig.for_sensitivity(args.sensitivity)
    files = sorted(args.data_dir.glob("*.csv"))
    results = [simulate(p, cfg, args.seed, args.warm_days, args.eval_days) for p in files]
    print(json.dumps(summarise(results, args.sensitivity), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
