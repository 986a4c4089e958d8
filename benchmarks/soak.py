"""Soak: the real service (`groundswell run`, its own process) for N minutes against a fake X API and a
fake SMTP server that run in this process, with faults.

    nice python benchmarks/soak.py --minutes 125

A feeder posts two mentions a second at the fake X, and every 30 s a churn threat from an account
with 900k followers, with the weekly page budget lifted: an incident and an email each, so every complaint
gives one latency figure ("cancelling my subscription": churn v3 reads no bare "cancelling" as leaving).
Their other words differ, but the story detector rightly sees one complaint repeated by many people, and
from then on each threat joins that story as a facet, not paged on its own (issue #17: 33 of 49 posts in a
25-minute run); since issue #12 each of these 900k-follower accounts is told once in the story's thread
("Big customer joined", their post first), so its email names it; the ones joining within
``detection.joined_fold_minutes`` of such an update are folded into the next one, which names them all
(``named_in_an_email_after_s``, ``joined_updates`` per incident; a folded post shown in full among the
examples counts as paged, named up to the fold window after it was made). The soak lifts the brand's
``story_min_people`` and each threat stays its own event (``--stories`` keeps the detector's threshold).
After the run, ``incident_posts`` says where each post went, from the service's database
(benchmarks/soak_accounting.py): paged (an email named it), joined an open incident, held by the budget,
watched, or lost; the latency percentiles are over the posts paged on their own.
Faults: X answers 429 from 20% to 30% of the run, hangs past the client timeout from 50% to 55%,
and the SMTP server is down from 70% to 80%.  Each 429 names the window's end as its ``x-rate-limit-reset``, as X
does (``--sliding-reset``: 120 s after each answer, what the fake sent before issue #17's catch-up fix);
``after_429`` lists the latency of the posts made around the window's end (they are inside the fault window).
The slow posts after the window in the two-hour run (up to 82 s) were the sliding reset meeting the backoff: from
the fifth 429 the backoff step (160 s, then 320 s) passed the 120 s the fake named, so the first poll after the
window came minutes late.  A rate limit's reset now always wins (monitor/pipeline/source_health.py); with X's real
reset a 45-minute run polled 1-3 s after the window and paged its first post 5 s after the window in 20.5 s (each
poll of the X connector now reads the newest posts first and the rest of the backlog after them:
benchmarks/x_backlog.py).
Prints JSON: the service's RSS over time and its slope after the warm-up (least squares, MB/hour),
its CPU seconds, jobs missed (from its log), alert latency (post created at the source -> email
received) as p50/p95/p99/max, overall and outside the fault windows, deliveries, poll errors and
the load average of the machine (it is shared, so latency may suffer from other load), and
``smtp_recovery``: how long after SMTP came back the alerts queued during its outage were all out.

Finding what grows (dev only): ``--trace FILE`` sets ``GROUNDSWELL_TRACEMALLOC=FILE`` for the service, which then
appends the top Python allocations by line, and the growth since its first dump, every ``--trace-minutes``
(monitor/service/memtrace.py; tracing costs CPU and memory, so leave it off when measuring RSS; ``--trace-frames 0``
traces nothing and logs only the native figures).
``--env KEY=VALUE`` (repeatable) sets more variables in the service's environment, e.g. ``PYTHONMALLOC=malloc``.

What the 15-minute runs found (issue #17): the one-time RSS step after the 429 window was onnxruntime's
CPU arena keeping the catch-up batch's peak (+57 MB; still +104 MB with trimming and two malloc arenas),
and glibc's per-thread arenas held freed memory (slope).  Fixed by two malloc arenas, ``malloc_trim`` after
scoring (monitor/heap.py) and the ORT arena shrunk after each scoring call (models/ort_memory.py; no arena at
all had fixed the step too, but peaked at up to 970 MB scoring a batch of real posts).

What grew after the warm-up (issue #17, ``--trace`` every 3 min with the native figures, and
benchmarks/detector_memory.py): the Python heap, not native memory.  The story detector's per-text LRU caches
(content words, clean text, MinHash: 4,096 entries; band keys 8,192; sentence vectors 4,096) filled with the
feed's one-off texts (every post differs by its number) for 70 minutes and then held 14 MB (+ up to 8.6 MB of
vectors where every post has one): most of the slope.  They now keep 1,024 entries each
(``story_text.TEXT_CACHE``: 2.3 MB, full within the warm-up; an LRU keeps the texts that repeat).  What still grows
is windowed state, each part pruned by its own window: a dedupe key per mention for 48 h (~105 B), a story's new
author for 24 h (~190 B), a singleton story per churn threat for 6 h; ~2.9 MB an hour at this feed (0.05 MB/min),
flat after two days (``detector_memory.py --hours 96``).  SQLite's page caches fill to 2 MB a connection (3 here:
1.5 -> 6.5 MB in 25 minutes).  Side by side for 40 minutes (load average 12.5): 0.50 -> 0.24 MB/min, not yet the
0.1 target (deploy/README.md).  Tracing costs RSS (25-minute runs: 2.4 MB/min traced, 0.8 untraced): for RSS figures
use ``--trace FILE --trace-frames 0`` (the native line alone: RSS, anonymous, glibc in use/free, SQLite) or no trace.

SQLite's and glibc's share (issue #17, after the two-hour run's 0.17 MB/min): every distinct row count of a multi-row
INSERT and of an ``IN`` list is a statement of its own, which SQLite prepares and keeps in each pooled connection's
cache of 128 (a 720-row catch-up insert alone ~2 MB; every poll size from 1 to 100 and one catch-up: +17.0 MB in one
connection, tests/test_sqlite_memory.py).  Inserts now go in power-of-two pieces of at most 64 rows and the examined
ids in power-of-two lists (+1.3 MB), and a connection's page cache is 1 MiB (monitor/storage/engine.py).  glibc's mmap
threshold is pinned at 256 KiB (monitor/heap.py), so it no longer rises after a large block is freed: free-but-held
~4 MB instead of 25-37 MB.  Side by side, started together (``--minutes 40 --warmup 10 --trace FILE --trace-frames 0
--trace-minutes 5``, load average 9.5): slope 0.37 -> 0.22 MB/min (minutes 25-40: 0.38 -> 0.12), RSS at 40 minutes
250.0 vs 245.8 MB, SQLite 2.7 -> 7.8 MB vs 3.8 -> 4.7 MB from minute 10 to 35; 79/79 paged in both, CPU 51.9 vs 52.1 s.
The pin alone (32 minutes, without vs with): 0.37 vs 0.23 MB/min, service CPU 41.5 vs 42.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

from benchmarks import soak_accounting  # noqa: E402
from tests.fakes.smtp import FakeSMTP  # noqa: E402
from tests.fakes.x_api import FakeX  # noqa: E402

MARK = re.compile(r"LAT(\d+)\b")
HANDLE = re.compile(r"@big(\d+)\b")  # a big customer named in an email (a folded update names, not quotes, them)
FAULTS = {"x_429": (0.2, 0.3), "x_hang": (0.5, 0.55), "smtp_down": (0.7, 0.8)}
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _text(message: Any) -> str:
    return " ".join(str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the service process (and its waited-for children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round(sum(int(v) for v in fields[11:15]) / TICKS, 1)


def config_text(x: FakeX, smtp: FakeSMTP, folder: Path, poll: int, model: str, metrics_port: int,
                stories: bool = False) -> str:
    story = "" if stories else "story_min_people = 100000"
    return f"""
[app]
data_dir = "{folder / 'data'}"
[model]
sentiment = "{model}"
[service]
metrics_address = "127.0.0.1:{metrics_port}"
[[brands]]
id = "acme"
name = "Acme"
names = ["Acme"]
{story}
[[sources]]
id = "x-acme"
kind = "x"
brand = "acme"
interval_seconds = {poll}
bearer_token = {{ env = "SOAK_X_TOKEN" }}
base_url = "{x.url}"
timeout_seconds = 5
[[channels]]
id = "mail"
kind = "email"
host = "127.0.0.1"
port = {smtp.port}
security = "none"
from_addr = "groundswell@example.com"
to = ["ops@example.com"]
[detection]
pages_per_week = 100000
min_negative = 100000
join_minutes = 5
"""


def words(rng: random.Random) -> str:
    return " ".join("".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4))
                    for _ in range(8))


def feed(x: FakeX, stop: threading.Event, posted: dict[int, float]) -> None:
    n, rng = 0, random.Random(17)
    while not stop.wait(0.5):
        n += 1
        x.add_tweet(f"Acme new router arrived today, setting it up {n}", user=f"user{n}", age=timedelta(0))
        if n % 60 == 0:
            k = n // 60
            posted[k] = time.time()
            x.add_tweet(f"Acme {words(rng)} terrible, cancelling my subscription LAT{k}", user=f"big{k}",
                        followers=900_000, age=timedelta(0))


def scrape(port: int) -> dict[tuple[str, str], float]:
    """The service's /metrics as {(sample name, label values joined): value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {(s.name, ",".join(s.labels.values())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def run(minutes: float, poll: int, model: str, warmup: float, extra_env: dict[str, str] | None = None,
        stories: bool = False, sliding_reset: bool = False) -> dict[str, Any]:
    x, smtp = FakeX(token="soak-token").start(), FakeSMTP().start()
    folder = Path(tempfile.mkdtemp(prefix="gs-soak-"))
    port = free_port()
    config = folder / "soak.toml"
    config.write_text(config_text(x, smtp, folder, poll, model, port, stories))
    log = (folder / "service.log").open("w")
    service = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"],
                               stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "SOAK_X_TOKEN": x.token, "COLUMNS": "200", **(extra_env or {})})
    stop, posted, arrived, named = threading.Event(), {}, {}, {}  # type: ignore[var-annotated]
    threading.Thread(target=feed, args=(x, stop, posted), daemon=True).start()
    duration, began = minutes * 60, time.time()
    if not sliding_reset:  # X names the end of its rate window, not a time relative to each answer
        x.rate_limit_reset = datetime.fromtimestamp(began + FAULTS["x_429"][1] * duration, UTC)
    samples: list[dict[str, float]] = []
    seen, emails, smtp_times = 0, 0, {}
    while (elapsed := time.time() - began) < duration and service.poll() is None:
        share = elapsed / duration
        x.fault = "429" if _in("x_429", share) else "slow" if _in("x_hang", share) else None
        if _in("smtp_down", share) == (smtp.controller is not None):
            smtp_times["up" if smtp.controller is None else "down"] = time.time()
            smtp.stop() if smtp.controller is not None else smtp.start()
        for received in smtp.received[seen:]:
            emails += 1
            body = _text(received.message)
            for k in MARK.findall(body):
                arrived.setdefault(int(k), time.time())
            for k in HANDLE.findall(body):
                named.setdefault(int(k), time.time())
        seen = len(smtp.received)
        if not samples or elapsed - samples[-1]["t_s"] >= 30:
            samples.append({"t_s": int(elapsed), "rss_mb": rss_mb(service.pid), "cpu_s": cpu_seconds(service.pid),
                            "load1": round(os.getloadavg()[0], 2)})
        time.sleep(1)
    stop.set()
    exit_code = service.poll()
    metrics = scrape(port) if exit_code is None else {}
    service.terminate()
    service.wait(60)
    x.stop()
    if smtp.controller is not None:
        smtp.stop()
    log.close()
    text = (folder / "service.log").read_text(errors="replace")
    where = soak_accounting.classify(folder / "data" / "groundswell.db", posted, arrived, began + elapsed, named)
    return {"minutes": minutes, "model": model, "poll_interval_s": poll, "service_env": extra_env or {},
            "stories": stories, "sliding_reset": sliding_reset,
            "service_exit_early": exit_code,
            "service_log": str(folder / "service.log"),
            **memory_report(samples, warmup), **latency_report(posted, arrived, where, began, duration, poll),
            "smtp_recovery": recovery_report(posted, arrived, smtp_times), **counters(metrics, text, emails),
            "joined_updates": soak_accounting.joined_updates(folder / "data" / "groundswell.db")}


def recovery_report(posted: dict[int, float], arrived: dict[int, float], smtp: dict[str, float]) -> dict[str, Any]:
    """How long the alerts queued while SMTP was down took to go out once it was back (issue #17)."""
    if "down" not in smtp or "up" not in smtp:
        return {"queued": None}
    queued = [k for k in posted if smtp["down"] - 60 <= posted[k] < smtp["up"]]
    late = [arrived[k] - smtp["up"] for k in queued if k in arrived and arrived[k] >= smtp["up"]]
    return {"queued": len(queued), "delivered_after_recovery": len(late),
            "first_out_s": round(min(late), 1) if late else None, "all_out_s": round(max(late), 1) if late else None,
            "target_s": 60}


def _in(fault: str, share: float) -> bool:
    low, high = FAULTS[fault]
    return low <= share < high


def slope_mb_per_hour(points: list[tuple[float, float]]) -> float | None:
    if len(points) < 2:
        return None
    n = len(points)
    mean_t, mean_m = sum(t for t, _ in points) / n, sum(m for _, m in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    cov = sum((t - mean_t) * (m - mean_m) for t, m in points)
    return round(cov / var * 3600, 2) if var else None


def memory_report(samples: list[dict[str, float]], warmup_minutes: float) -> dict[str, Any]:
    after = [(s["t_s"], s["rss_mb"]) for s in samples if s["t_s"] >= warmup_minutes * 60]
    slope = slope_mb_per_hour(after)
    loads = [s["load1"] for s in samples]
    return {
        "rss_samples": samples, "warmup_minutes": warmup_minutes,
        "rss_mb": {"first": samples[0]["rss_mb"] if samples else None,
                   "after_warmup": after[0][1] if after else None,
                   "last": samples[-1]["rss_mb"] if samples else None,
                   "peak": max((s["rss_mb"] for s in samples), default=None)},
        "rss_slope_mb_per_hour_after_warmup": slope,
        "rss_slope_mb_per_min_after_warmup": round(slope / 60, 4) if slope is not None else None,
        "rss_slope_target_mb_per_min": 0.1,
        "service_cpu_s": samples[-1]["cpu_s"] if samples else None,
        "load1": {"mean": round(sum(loads) / len(loads), 2) if loads else None, "max": max(loads, default=None)},
    }


def percentiles(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)

    def at(q: float) -> float | None:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99),
            "max": ordered[-1] if ordered else None}


def latency_report(posted: dict[int, float], arrived: dict[int, float], where: dict[int, dict[str, Any]],
                   began: float, duration: float, poll: int) -> dict[str, Any]:
    """A post counts as 'in a fault window' if it was made from one poll + 60 s before a fault to 150 s after it
    (the X client backs off for up to 120 s after a 429)."""
    def faulted(at: float) -> bool:
        return any(began + low * duration - poll - 60 <= at < began + high * duration + 150
                   for low, high in FAULTS.values())

    latency = {k: round(arrived[k] - posted[k], 1) for k in posted if k in arrived}
    clear = [lat for k, lat in latency.items() if not faulted(posted[k])]
    updates = [w["update_after_s"] for w in where.values() if w.get("update_after_s") is not None]
    named = [w["named_after_s"] for w in where.values() if w.get("named_after_s") is not None]
    return {
        "incident_posts": {"n": len(posted), **soak_accounting.summary(where)},
        "latency_s": percentiles(list(latency.values())),
        "latency_s_outside_fault_windows": percentiles(clear),
        "latency_target_s": 40,
        "joined_next_page_s": percentiles(updates),
        "named_in_an_email_after_s": percentiles(named),
        "latency_by_post": [{"posted_at_s": round(posted[k] - began), "latency_s": latency.get(k), **where[k]}
                            for k in sorted(posted)],
        "after_429": after_window(posted, latency, began, began + FAULTS["x_429"][1] * duration, poll),
        "faults": {name: [round(low * duration), round(high * duration)] for name, (low, high) in FAULTS.items()},
    }


def after_window(posted: dict[int, float], latency: dict[int, float], began: float, end: float,
                 poll: int) -> dict[str, Any]:
    """The posts made from one poll before the 429 window's end to 300 s after it: the catch-up (issue #17)."""
    near = {k: latency.get(k) for k in sorted(posted) if end - poll <= posted[k] < end + 300}
    return {"window_end_s": round(end - began),
            "latency_s": percentiles([v for v in near.values() if v is not None]),
            "by_post": [{"after_end_s": round(posted[k] - end, 1), "latency_s": v} for k, v in near.items()]}


def counters(metrics: dict[tuple[str, str], float], log_text: str, emails: int) -> dict[str, Any]:
    return {
        "jobs_missed": log_text.count("was missed by"),
        "runs_skipped_still_running": log_text.count("maximum number of running instances"),
        "tracebacks_in_log": log_text.count("Traceback (most recent call last)"),
        "emails": emails,
        "mentions_ingested": metrics.get(("groundswell_mentions_ingested_total", "x-acme")),
        "poll_errors": metrics.get(("groundswell_poll_errors_total", "x-acme")),
        "rate_limited": metrics.get(("groundswell_poll_rate_limited_total", "x-acme")),
        "alerts_sent": metrics.get(("groundswell_alerts_sent_total", "mail")),
        "alerts_failed": metrics.get(("groundswell_alerts_failed_total", "mail")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--poll", type=int, default=10, help="the X source's poll interval (s)")
    parser.add_argument("--model", default="bundled", help="the service's sentiment model (bundled, lexicon)")
    parser.add_argument("--warmup", type=float, default=10.0, help="minutes left out of the RSS slope")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="a variable for the service's environment (repeatable), e.g. MALLOC_ARENA_MAX=2")
    parser.add_argument("--stories", action="store_true",
                        help="keep the story threshold (the threats then join one story; default: each its own)")
    parser.add_argument("--sliding-reset", action="store_true",
                        help="each 429's reset is 120 s after it (the fake before issue #17's catch-up fix)")
    parser.add_argument("--trace", metavar="FILE", help="dev only: the service dumps tracemalloc top lines to FILE")
    parser.add_argument("--trace-minutes", type=float, default=2.0, help="minutes between --trace dumps")
    parser.add_argument("--trace-frames", type=int, default=1,
                        help="tracemalloc frames; 0: only the native figures (RSS, glibc, SQLite), untraced")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env if "=" in item)
    if args.trace:
        extra |= {"GROUNDSWELL_TRACEMALLOC": str(Path(args.trace).resolve()),
                  "GROUNDSWELL_TRACEMALLOC_MINUTES": str(args.trace_minutes),
                  "GROUNDSWELL_TRACEMALLOC_FRAMES": str(max(0, args.trace_frames))}
    print(json.dumps(run(args.minutes, args.poll, args.model, args.warmup, extra, args.stories, args.sliding_reset),
                     indent=2))


if __name__ == "__main__":
    main()
