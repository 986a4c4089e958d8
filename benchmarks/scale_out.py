"""Scale-out throughput: 1 and 2 real Celery workers (solo pool, one core each) over Redis on PostgreSQL.

Usage: ``nice python benchmarks/scale_out.py [--brands 40] [--per-brand 500] [--workers 1 2]``.
For each worker count, on a fresh schema: poll every brand's replay source and score everything (mentions/s,
and mentions per worker CPU-second: the per-core figure for sizing), then one detection pass fanned out as a
``detect_brand`` task per brand, twice (the second resumes from memory or the brand's database checkpoint;
seconds per brand, queue lag = wait before a worker took the task), RSS per
worker.  Prints JSON.  Scaled to this shared 2-core machine: compare the CPU-second figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.scale_cluster import Cluster, audit, empty_redis_db, wait_until  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


def run(workers: int, brands: int, per_brand: int, folder: Path, url: str, model: str,
        detector: str) -> dict[str, Any]:
    names = [f"b{i:04d}" for i in range(brands)]
    cluster = Cluster(folder, url, empty_redis_db(REDIS), brands=names,
                      spreads=set(names[::10]), background=per_brand, model=model, engine=detector)
    engine = cluster.prepare()
    try:
        for i in range(workers):
            cluster.start_worker(f"w{i + 1}")
        tasks = cluster.tasks()
        up = wait_until(lambda: len(tasks.app.control.ping(timeout=2.0)) >= workers, 600, 1.0)
        assert up, f"workers not up after 10 min: see {folder}/w*.log"
        cpu0 = {n: cpu_seconds(p.pid) for n, p in cluster.workers.items()}
        total, started = sum(cluster.expected.values()), time.perf_counter()
        for name in names:
            tasks.poll.delay(f"{name}-feed")
        for _ in range(workers * 2):
            tasks.score.delay()

        def done() -> bool:
            state = audit(engine)
            if state["unscored"] or sum(state["stored"].values()) < total:
                tasks.score.delay()
                return False
            return True

        assert wait_until(done, 1800, 2.0), audit(engine)
        ingest_s = time.perf_counter() - started
        ingest_cpu = sum(cpu_seconds(p.pid) - cpu0[n] for n, p in cluster.workers.items())
        detection = detect_pass(tasks, names)  # first pass: no checkpoint yet, each brand warms up
        again = detect_pass(tasks, names)  # next pass: resumed from memory or from the brand's checkpoint
        checkpoint_kb = checkpoint_sizes(engine)
        result = audit(engine)
        rss = cluster.rss_mb()
    finally:
        cluster.stop()
        engine.dispose()
    return {"workers": workers, "model": model, "engine": detector, "brands": brands, "mentions": total,
            "ingest_and_score": {"wall_s": round(ingest_s, 2), "worker_cpu_s": round(ingest_cpu, 2),
                                 "mentions_per_s": round(total / ingest_s, 1),
                                 "mentions_per_worker_cpu_s": round(total / max(ingest_cpu, 1e-9), 1)},
            "detection": detection, "detection_next_pass": again, "checkpoint_kb": checkpoint_kb,
            "rss_mb_per_worker": rss,
            "audit": {k: result[k] for k in ("unscored", "scored_twice", "duplicate_alerts")}
            | {"spreads_alerted": f"{len(result['spike_opened_alerts'])} of {len(cluster.spreads)}"}}


def checkpoint_sizes(engine: Any) -> dict[str, float]:
    """Compressed detector state per brand, as stored (what a worker reads when it takes a brand over)."""
    with engine.connect() as connection:
        mean, top, count = connection.execute(text(
            "select avg(length(state)), max(length(state)), count(*) from detector_checkpoints")).one()
    return {"brands": int(count), "mean": round(float(mean or 0) / 1024, 1), "max": round(float(top or 0) / 1024, 1)}


def detect_pass(tasks: Any, names: list[str]) -> dict[str, Any]:
    """One pass: a detect_brand task per brand; the wait before each started is its queue lag."""
    started = time.perf_counter()
    sent = [(time.perf_counter(), tasks.detect_brand.delay(name)) for name in names]
    finished: dict[int, tuple[float, dict[str, Any]]] = {}
    while len(finished) < len(sent):
        for i, (_, result) in enumerate(sent):
            if i not in finished and result.ready():
                finished[i] = (time.perf_counter(), result.get())
        time.sleep(0.02)
    work = [finished[i][1]["seconds"] for i in range(len(sent))]
    lags = [max(0.0, finished[i][0] - sent[i][0] - work[i]) for i in range(len(sent))]
    return {"pass_wall_s": round(time.perf_counter() - started, 2),
            "per_brand_s_mean": round(statistics.mean(work), 4), "per_brand_s_max": round(max(work), 4),
            "queue_lag_s_median": round(statistics.median(lags), 3), "queue_lag_s_max": round(max(lags), 3),
            "skipped": sum(finished[i][1]["skipped"] for i in finished)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brands", type=int, default=40)
    parser.add_argument("--per-brand", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--postgres", default=PG)
    parser.add_argument("--model", default="lexicon", help="sentiment model: lexicon (default) or bundled")
    parser.add_argument("--engine", default="simple", help="detection engine: simple (default) or adaptive")
    args = parser.parse_args()
    out = []
    admin = create_engine(args.postgres)
    for count in args.workers:
        schema = f"scale_{uuid.uuid4().hex[:10]}"
        with admin.begin() as connection:
            connection.execute(text(f"create schema {schema}"))
        try:
            with tempfile.TemporaryDirectory() as folder:
                out.append(run(count, args.brands, args.per_brand, Path(folder),
                               f"{args.postgres}?options=-csearch_path%3D{schema}", args.model, args.engine))
                print(json.dumps(out[-1]), file=sys.stderr, flush=True)  # each run as soon as it is done
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"drop schema {schema} cascade"))
    admin.dispose()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
