"""Correctness audit of the scale-out: real Celery workers over Redis on PostgreSQL, one killed with kill -9.

After the run: 0 mentions lost, 0 scored twice (a trigger counts every scoring write), 0 alerts duplicated,
and every injected spread alerted exactly once (quiet brands never).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from benchmarks.scale_cluster import Cluster, audit, empty_redis_db, wait_until

pytestmark = pytest.mark.slow
REDIS = os.environ.get("GROUNDSWELL_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def test_workers_killed_mid_run_lose_nothing_and_double_nothing(pg_url: str, tmp_path: Path) -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is required at {REDIS}: {exc}")
    broker = empty_redis_db(REDIS)
    redis.Redis.from_url(broker).flushdb()  # no tasks an interrupted earlier run left behind
    cluster = Cluster(tmp_path, pg_url, broker,
                      brands=["acme", "bolt", "crest", "dune"], spreads={"acme", "bolt", "crest"}, background=1500)
    engine = cluster.prepare()
    try:
        for name in ("w1", "w2", "w3"):
            cluster.start_worker(name)
        tasks = cluster.tasks()
        for brand in cluster.brands:  # every source polled twice at once: dedupe must hold
            tasks.poll.delay(f"{brand}-feed")
            tasks.poll.delay(f"{brand}-feed")
        for _ in range(12):  # more scoring tasks than needed, all at once: SKIP LOCKED keeps them apart
            tasks.score.delay()
        started = audit(engine)
        assert wait_until(lambda: audit(engine)["score_writes"] > started["score_writes"], 120, 0.05)
        cluster.kill("w1")  # mid-run: its claimed rows and its unacked task die with it
        cluster.start_worker("w4")
        total = sum(cluster.expected.values())

        def all_scored() -> bool:
            state = audit(engine)
            if state["unscored"] or sum(state["stored"].values()) < total:
                tasks.score.delay()
                for brand in cluster.brands:
                    tasks.poll.delay(f"{brand}-feed")
                return False
            return True

        assert wait_until(all_scored, 240, 3.0), audit(engine)
        for _ in range(3):  # detection fanned out three times over, concurrently on three workers
            tasks.detect.delay()
        assert wait_until(lambda: audit(engine)["spike_opened_alerts"].keys() >= cluster.spreads, 120, 1.0)
        time.sleep(5)  # let the remaining detect_brand tasks finish: they must not add anything
        result = audit(engine)
    finally:
        cluster.stop()
    assert result["stored"] == cluster.expected  # 0 lost, none stored twice (dedupe)
    assert result["unscored"] == 0
    assert result["scored_twice"] == 0 and result["score_writes"] == result["scored_mentions"] == total
    assert result["duplicate_alerts"] == 0
    assert result["spike_opened_alerts"] == {brand: 1 for brand in cluster.spreads}
    assert result["spike_incidents"] == {brand: 1 for brand in cluster.spreads}
