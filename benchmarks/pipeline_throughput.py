"""End-to-end throughput (ingest -> score -> store -> detect) and alert latency, printed as JSON.

    python benchmarks/pipeline_throughput.py                      # SQLite and PostgreSQL, lexicon + bundled
    python benchmarks/pipeline_throughput.py --databases sqlite --models lexicon --rows 5000
    python benchmarks/pipeline_throughput.py --latency            # also: post at a source -> webhook alert
    python benchmarks/pipeline_throughput.py --models bundled --embedding none   # sentiment only, no vectors
    python benchmarks/pipeline_throughput.py --models bundled --embedding auto:negative   # vectors for negatives
    python benchmarks/pipeline_throughput.py --models bundled --texts ../shared/data/twcs-sample/twcs_head5000.csv
    python benchmarks/pipeline_throughput.py --models bundled --texts ... --reposts 0.3   # 30 % word-for-word copies

Each (database, model) pair runs in a fresh process (so RSS is its own) over a synthetic replay
file, calling the same pipeline functions the service calls, in the order the service runs them.
PostgreSQL gets a fresh schema, dropped afterwards.  Targets: >= 300 mentions/s, RSS <= 1 GB,
alert latency <= one poll interval + 30 s.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
TEXTS = [
    "{b} broadband down again in {c}, third time this week. useless",
    "Anyone else having {b} outage? no internet since {h}am",
    "Been on hold with {b} support for {h} hours, absolutely terrible service",
    "If {b} doesn't fix this I'm cancelling and switching provider",
    "{b} engineer came today, fast and friendly, thanks!",
    "Just upgraded to {b} fibre in {c}, speeds look great",
    "{b} price rise letter arrived. again. not happy",
    "Does {b} have a status page? router lights flashing orange",
    "Moving house next month, how do I transfer my {b} contract?",
    "@brightwave my bill is wrong for the {h}th month in a row",
]
CITIES = ["Leeds", "Bristol", "Cardiff", "York", "Bath", "Derby"]


def real_texts(path: Path) -> list[str]:
    """Customer posts from a CSV with ``text`` (and ``inbound``) columns, e.g. ../shared/data/twcs-sample: real
    posts vary in length (the synthetic ones do not), which is what batching has to cope with."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if str(r.get("inbound", "True")).lower() == "true"]
    return [re.sub(r"^(@\w+\s*)+", "@brightwave ", r["text"]) for r in rows if r.get("text")]


def synthetic_rows(count: int, seed: int = 1, texts: list[str] | None = None,
                   reposts: float = 0.0) -> list[dict[str, Any]]:
    """``count`` mentions over two days: the templates below, or ``texts`` cycled (each made unique by #i);
    with ``reposts``, that share of them repeats the text of one of the 200 before it word for word (a copy
    or repost without a link: other author, same words)."""
    rng = random.Random(seed)
    start = NOW - timedelta(days=2)
    step = timedelta(days=2) / count
    rows = _rows(rng, start, step, count, texts)
    copies = random.Random(seed + 1)
    for i in range(1, count):
        if copies.random() < reposts:
            rows[i]["text"] = rows[copies.randrange(max(0, i - 200), i)]["text"]
    return rows


def _rows(rng: random.Random, start: datetime, step: timedelta, count: int,
          texts: list[str] | None) -> list[dict[str, Any]]:
    return [{"id": str(i), "posted_at": (start + step * i).isoformat(), "author_id": f"u{rng.randrange(count // 3)}",
             "author_followers": rng.choice([10, 150, 900, 4000, 20_000]) if i % 97 else 600_000,
             "text": (texts[i % len(texts)] if texts else rng.choice(TEXTS).format(
                 b=rng.choice(["Brightwave", "brightwave"]), c=rng.choice(CITIES), h=rng.randrange(2, 12)))
             + f" #{i}"} for i in range(count)]


def bench_settings(url: str, data: Path, model: str, folder: Path, *, live: bool = False, interval: int = 300,
                   channels: list[dict[str, Any]] | None = None, embedding: str = "auto") -> Any:
    from monitor.settings import Settings

    cls = type("BenchSettings", (Settings,), {"toml_path": None})
    return cls(app={"data_dir": str(folder)}, database={"url": url},
               model={"sentiment": model, "threads": 2, "embedding": embedding.partition(":")[0],
                      "embedding_for": embedding.partition(":")[2] or "stories"},
               service={"metrics_address": "127.0.0.1:0"},
               brands=[{"id": "brightwave", "name": "Brightwave", "names": ["Brightwave"],
                        "handles": ["@brightwave"]}],
               sources=[{"id": "bench", "kind": "replay", "brand": "brightwave", "path": str(data),
                         "limit": 1000, "follow_clock": live, "interval_seconds": interval}],
               channels=channels or [])


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    current = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = int(line.split()[1]) / 1024
    return round(current, 1), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_one(database: str, model: str, rows: int, pg_url: str, embedding: str = "auto",
            texts: Path | None = None, reposts: float = 0.0) -> dict[str, Any]:
    from monitor.pipeline import poll_source, run_detection, score_pending
    from monitor.runtime import Runtime

    folder = Path(tempfile.mkdtemp(prefix="gs-bench-"))
    data = folder / "rows.jsonl"
    corpus = real_texts(texts) if texts else None
    data.write_text("".join(json.dumps(r) + "\n" for r in synthetic_rows(rows, texts=corpus, reposts=reposts)))
    url, cleanup = _database(database, folder, pg_url)
    try:
        settings = bench_settings(url, data, model, folder, embedding=embedding)
        runtime = Runtime(settings)
        started = time.perf_counter()
        _ = runtime.engine, runtime.model  # migrations and model load: startup, not throughput
        startup = time.perf_counter() - started
        connector = runtime.connector("bench")
        stages = {"poll": 0.0, "score": 0.0, "detect": 0.0}
        stages_cpu = dict(stages)
        incidents = 0
        began, began_cpu = time.perf_counter(), time.process_time()
        while True:
            t, c = time.perf_counter(), time.process_time()
            fetched = poll_source(runtime.engine, settings, connector, now=NOW).fetched
            stages["poll"] += time.perf_counter() - t
            stages_cpu["poll"] += time.process_time() - c
            t, c = time.perf_counter(), time.process_time()
            while score_pending(runtime.engine, settings, runtime.model, now=NOW).more_pending:
                pass
            stages["score"] += time.perf_counter() - t
            stages_cpu["score"] += time.process_time() - c
            t, c = time.perf_counter(), time.process_time()
            incidents += run_detection(runtime.engine, settings, now=NOW).opened
            stages["detect"] += time.perf_counter() - t
            stages_cpu["detect"] += time.process_time() - c
            if fetched == 0:
                break
        elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        current, peak = rss_mb()
        # CPU seconds are this process's only (a PostgreSQL server's own CPU is not in them): on a shared
        # machine they are the figure to compare; 6.7 CPU-ms a mention is 300 mentions/s on two cores.
        return {"database": database, "model": model, "embedding": settings.model.embedding,
                "embedding_for": settings.model.embedding_for,
                "texts": texts.name if texts else "synthetic", "reposts": reposts, "mentions": rows,
                "seconds": round(elapsed, 2),
                "mentions_per_s": round(rows / elapsed, 1), "cpu_seconds": round(cpu, 2),
                "cpu_ms_per_mention": round(1000 * cpu / rows, 2), "startup_s": round(startup, 2),
                "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
                "stage_cpu_ms_per_mention": {k: round(1000 * v / rows, 2) for k, v in stages_cpu.items()},
                "mentions_per_cpu_s": round(rows / cpu, 1), "incidents_opened": incidents,
                "rss_mb": current, "peak_rss_mb": peak}
    finally:
        cleanup()


def _database(kind: str, folder: Path, pg_url: str) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    from sqlalchemy import create_engine, text

    schema = f"gs_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url)
    with admin.begin() as connection:
        connection.execute(text(f"create schema {schema}"))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f"drop schema {schema} cascade"))
        admin.dispose()

    return f"{pg_url}?options=-csearch_path%3D{schema}", drop


def bundled_available() -> bool:
    try:
        from models.loader import load_sentiment_model

        load_sentiment_model("bundled").score(["it works"])
        return True
    except Exception:
        return False


def measure_latency(poll_interval: int = 10, posts: int = 4, spacing: float = 12.0) -> dict[str, Any]:
    """The real service (scheduler, default score/detect/deliver intervals) and a webhook receiver:
    seconds from a post's posted_at (when the replay source first offers it) to its alert arriving."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from monitor.service.scheduler import Service

    arrived: dict[str, float] = {}

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            for example in body["examples"]:
                arrived.setdefault(example["posted_at"], time.time())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = Path(tempfile.mkdtemp(prefix="gs-latency-"))
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    times = [start + timedelta(seconds=k * spacing) for k in range(posts)]
    data = folder / "live.jsonl"
    data.write_text("".join(json.dumps({"id": f"live{k}", "posted_at": t.isoformat(), "author_id": f"big{k}",
                                        "author_followers": 900_000,
                                        "text": f"Brightwave outage again, terrible, cancelling #{k}"}) + "\n"
                            for k, t in enumerate(times)))
    hook = {"id": "hook", "kind": "webhook", "url": f"http://127.0.0.1:{server.server_address[1]}/"}
    settings = bench_settings(f"sqlite:///{folder / 'live.db'}", data, "lexicon", folder, live=True,
                              interval=poll_interval, channels=[hook])
    service = Service(settings)
    service.start()
    deadline = time.time() + (times[-1] - datetime.now(UTC)).total_seconds() + poll_interval + 75
    while len(arrived) < posts and time.time() < deadline:
        time.sleep(0.5)
    service.shutdown()
    server.shutdown()
    latencies = [round(arrived[t.isoformat()] - t.timestamp(), 1) for t in times if t.isoformat() in arrived]
    return {"poll_interval_s": poll_interval, "posts": posts, "alerts_received": len(latencies),
            "latency_s": latencies, "max_s": max(latencies, default=None),
            "target_s": poll_interval + 30}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="mentions per run with the lexicon model")
    parser.add_argument("--bundled-rows", type=int, default=5_000, help="mentions per run with the bundled model")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--models", default="lexicon,bundled")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--embedding", default="auto", help='model.embedding for the runs: "auto" (default) or "none"; '
                        '"auto:negative": vectors for posts scored negative only (model.embedding_for)')
    parser.add_argument("--texts", type=Path, help="CSV of real posts (text column) instead of the templates")
    parser.add_argument("--reposts", type=float, default=0.0,
                        help="share of mentions that repeat a recent mention's text word for word (0..1)")
    parser.add_argument("--latency", action="store_true", help="also measure post -> alert latency (~90 s)")
    parser.add_argument("--one", nargs=2, metavar=("DATABASE", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.texts and not args.texts.is_file():
        parser.error(f"--texts {args.texts}: no such file")
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.rows, args.pg_url, args.embedding, args.texts,
                                 args.reposts)))
        return
    results: list[dict[str, Any]] = []
    models = [m for m in args.models.split(",") if m != "bundled" or bundled_available()]
    for database in args.databases.split(","):
        for model in models:
            rows = args.bundled_rows if model == "bundled" else args.rows
            done = subprocess.run([sys.executable, __file__, "--one", database, model, "--rows", str(rows),
                                   "--pg-url", args.pg_url, "--embedding", args.embedding,
                                   "--reposts", str(args.reposts),
                                   *(["--texts", str(args.texts.resolve())] if args.texts else [])],
                                  capture_output=True, text=True, cwd=ROOT)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else
                           {"database": database, "model": model, "error": done.stderr.strip()[-500:]})
    report: dict[str, Any] = {"throughput": results,
                              "targets": {"mentions_per_s": 300, "rss_mb": 1024, "latency": "poll interval + 30 s"}}
    if args.latency:
        report["latency"] = measure_latency()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
