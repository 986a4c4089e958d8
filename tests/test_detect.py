"""Series detector and per-brand detection on small synthetic data generated here."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation, detect_brand
from monitor.detection.seasonal import SeriesConfig, SeriesDetector, nab_score, spike_scores

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
STEP = timedelta(minutes=5)


def seasonal_counts(days: int, seed: int = 7, base: float = 20.0) -> list[float]:
    """Poisson-ish counts with a daily cycle: quiet nights, busy afternoons."""
    rng = random.Random(seed)
    out = []
    for i in range(days * 288):
        hour = (i * 5 / 60) % 24
        lam = base * (0.4 + 0.6 * (1 + math.sin((hour - 9) / 24 * 2 * math.pi)))
        out.append(float(sum(rng.random() < lam / 50 for _ in range(50))))
    return out


def run(det: SeriesDetector, counts: list[float], start: int = 0) -> list[tuple[float, bool]]:
    return [det.update(T0 + (start + i) * STEP, v) for i, v in enumerate(counts)]


def test_quiet_seasonal_series_rarely_alerts_and_spike_alerts_once() -> None:
    counts = seasonal_counts(12)
    det = SeriesDetector(SeriesConfig.for_sensitivity("default"))
    quiet = run(det, counts)
    assert sum(alert for _, alert in quiet) <= 2  # <= ~1 per week on pure noise
    spike = [counts[-288 + i] + (250 if 3 <= i < 9 else 0) for i in range(24)]
    out = run(det, spike, start=len(counts))
    alerts = [i for i, (_, alert) in enumerate(out) if alert]
    assert alerts == [3]  # at onset, and only once for the whole episode


def test_slow_build_is_caught_by_the_cumulative_test() -> None:
    counts = seasonal_counts(10, seed=3)
    det = SeriesDetector(SeriesConfig.for_sensitivity("default"))
    run(det, counts)
    before = counts[-288:-288 + 72]
    build = [v * (1 + 0.05 * i) for i, v in enumerate(before)]  # +5 % per 5 min, no single jump
    out = run(det, build, start=len(counts))
    first = next(i for i, (_, alert) in enumerate(out) if alert)
    assert first < 60


def test_spread_does_not_teach_the_baseline() -> None:
    counts = seasonal_counts(8, seed=5)
    det = SeriesDetector()
    run(det, counts)
    when = T0 + len(counts) * STEP
    expected_before = det.expected(when)
    run(det, [400.0] * 12, start=len(counts))
    assert det.expected(when + 12 * STEP) < expected_before * 2


def test_state_round_trips_through_json() -> None:
    counts = seasonal_counts(3, seed=11)
    a = SeriesDetector()
    run(a, counts[:500])
    b = SeriesDetector.from_dict(json.loads(json.dumps(a.to_dict())))
    assert run(a, counts[500:], 500) == run(b, counts[500:], 500)


def test_bad_input_out_of_order_duplicate_nan_negative() -> None:
    det = SeriesDetector()
    run(det, seasonal_counts(2, seed=2))
    last = T0 + (2 * 288 - 1) * STEP
    assert det.update(last, 10_000.0) == (0.0, False)  # duplicate timestamp ignored
    assert det.update(last - STEP, 10_000.0) == (0.0, False)  # out of order ignored
    score, _ = det.update(last + STEP, float("nan"))
    assert math.isfinite(score)
    score, _ = det.update(last + 2 * STEP, -5.0)
    assert math.isfinite(score)


def test_no_history_does_not_alert_during_warmup() -> None:
    det = SeriesDetector()
    out = run(det, [0.0] * 10 + [1000.0] * 5)
    assert not any(alert for _, alert in out)


def test_spike_scores_matches_streaming_and_alert_threshold() -> None:
    counts = seasonal_counts(4, seed=9) + [500.0] * 3
    stamps = [T0 + i * STEP for i in range(len(counts))]
    scores = spike_scores(counts, stamps)
    det = SeriesDetector()
    steps = [det.step(t, v) for t, v in zip(stamps, counts, strict=True)]
    assert scores == [nab_score(s) for s in steps]
    assert [s >= 0.5 for s in scores] == [s.alert for s in steps]
    assert any(s.alert for s in steps[-3:])


# ---- per-brand detection -------------------------------------------------------------------------

WORDS = ["order", "app", "bill", "phone", "store", "price", "delivery", "refund", "login", "coffee", "great"]


def background(now: datetime, rng: random.Random, n: int, share: float, seq: list[int]) -> list[Observation]:
    out = []
    words = WORDS
    for _ in range(n):
        seq[0] += 1
        neg = rng.random() < share
        out.append(Observation(now - timedelta(seconds=rng.randint(1, 299)), f"u{rng.randint(0, 10**6)}",
                               0.9 if neg else 0.1, neg, " ".join(rng.choices(words, k=9)), ref=f"m{seq[0]}"))
    return out


def warm_brand(days: int = 6, rate: int = 6, seed: int = 1) -> tuple[BrandDetector, datetime, list[int]]:
    rng, seq = random.Random(seed), [0]
    det = BrandDetector(BrandConfig.for_sensitivity("default"))
    now = T0
    for _ in range(days * 288):
        now += STEP
        det.run(background(now, rng, rng.randint(rate - 3, rate + 3), 0.15, seq), now)
    return det, now, seq


def test_negative_spike_pages_with_numbers_but_happy_launch_does_not() -> None:
    det, now, seq = warm_brand()
    state = json.loads(json.dumps(det.to_dict()))
    happy = BrandDetector(BrandConfig.for_sensitivity("default"), json.loads(json.dumps(state)))
    rng = random.Random(5)
    angry_findings, happy_findings = [], []
    for i in range(6):
        t = now + (i + 1) * STEP
        angry = background(t, rng, 10, 0.15, seq) + background(t, rng, 40, 1.0, seq)
        angry_findings += [f for f in det.run(angry, t) if f.kind == "spike"]
        happy_findings += [f for f in happy.run(background(t, rng, 80, 0.15, seq), t) if f.kind == "spike"]
    assert happy_findings == []
    opened = [f for f in angry_findings if not f.escalation]
    assert len(opened) == 1
    assert {f.key for f in angry_findings} == {opened[0].key}  # escalations update the same incident
    reason = angry_findings[0].reason
    assert "negative mentions from" in reason and "expected" in reason
    assert angry_findings[0].counts["authors"] >= 40


def test_backfill_and_future_and_duplicates_do_not_page() -> None:
    det, now, seq = warm_brand(days=5)
    rng = random.Random(9)
    old = [Observation(now - timedelta(hours=5, seconds=i), f"b{i}", 0.9, True, f"old complaint {i} {rng.random()}",
                       ref=f"old{i}") for i in range(300)]
    future = [Observation(now + timedelta(days=2), f"f{i}", 0.9, True, "from the future", ref=f"f{i}")
              for i in range(300)]
    t = now + STEP
    batch = background(t, rng, 10, 0.15, seq)
    found = det.run(old + future + batch + batch, t)
    found += det.run(batch, t + STEP)
    assert [f for f in found if f.kind == "spike"] == []


def test_story_finding_from_one_repeated_grievance() -> None:
    det, now, seq = warm_brand(days=3)
    text = "@acme your update wiped my saved cards and support closed my ticket"
    found = []
    for i in range(12):
        t = now + (i + 1) * STEP
        ours = [Observation(t - timedelta(seconds=10), f"s{i}{j}", 0.8, True, f"{text} {'!' * j}", ref=f"s{i}{j}")
                for j in range(2)]
        found += det.run(background(t, random.Random(i), 10, 0.15, seq) + ours, t)
    stories = [f for f in found if f.kind == "story"]
    assert stories and not stories[0].escalation
    assert "people repeated one story" in stories[0].reason


def test_individual_triggers_and_empty_windows() -> None:
    findings, state = detect_brand([], None, None, T0)
    assert findings == [] and json.dumps(state)
    obs = [Observation(T0 - timedelta(minutes=1), "bigname", 0.9, True, "terrible", followers=2_000_000, ref="a"),
           Observation(T0 - timedelta(minutes=1), "leaver", 0.9, True, "cancelling my plan", churn_threat=True,
                       ref="b")]
    obs += [Observation(T0 - timedelta(hours=h), "again", 0.9, True, f"still broken {h}", ref=f"r{h}")
            for h in (1, 20, 40)]
    findings, state = detect_brand(obs, state, None, T0)
    kinds = sorted(f.kind for f in findings)
    assert kinds == ["churn", "reach", "repeat"]
    findings, state = detect_brand(obs, state, None, T0 + STEP)  # same mentions again: nothing new
    assert findings == []


def test_huge_volume_batch_and_hundred_brand_pass_complete_quietly() -> None:
    """Behaviour only: a million-a-day batch and a 100-brand pass of ordinary chatter raise no spike.
    How fast they run is measured by benchmarks/detection_speed.py, not asserted here."""
    rng, seq = random.Random(3), [0]
    det = BrandDetector(BrandConfig.for_sensitivity("default"))
    assert [f for f in det.run(background(T0, rng, 3500, 0.15, seq), T0) if f.kind == "spike"] == []
    brands = [BrandDetector(BrandConfig.for_sensitivity("default")) for _ in range(100)]
    batches = [background(T0 + STEP, rng, 5, 0.15, seq) for _ in brands]
    found = [f for brand, batch in zip(brands, batches, strict=True) for f in brand.run(batch, T0 + STEP)]
    assert [f for f in found if f.kind == "spike"] == []


def test_warm_up_from_stored_counts_lets_a_new_detector_page_at_once() -> None:
    det = BrandDetector(BrandConfig.for_sensitivity("default"))
    counts = seasonal_counts(7, seed=21, base=3.0)
    det.warm_up([(T0 + i * STEP, int(c), int(c) * 6) for i, c in enumerate(counts)])
    now = T0 + len(counts) * STEP
    rng, seq, found = random.Random(2), [0], []
    for i in range(4):
        t = now + (i + 1) * STEP + timedelta(minutes=1)
        found += det.run(background(t - timedelta(minutes=1), rng, 15, 0.15, seq)
                         + background(t - timedelta(minutes=1), rng, 30, 1.0, seq), t)
    spikes = [f for f in found if f.kind == "spike"]
    assert spikes and not spikes[0].escalation
