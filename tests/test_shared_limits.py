"""Request budgets shared by worker processes through real Redis; X stops politely when its budget is spent."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from connectors import shared_limits
from connectors.base import ConnectorContext
from connectors.paging import TokenBucket, shared_bucket
from connectors.x import BUDGET_SPENT, SEARCH_PER_15_MIN, XConnector, XOptions
from monitor.clock import ManualClock
from tests.fakes.x_api import ACME_TERMS as BRAND
from tests.fakes.x_api import FakeX

REDIS = os.environ.get("GROUNDSWELL_TEST_REDIS_URL", "redis://127.0.0.1:6379") + "/15"
TAKE = """
import sys
from datetime import UTC, datetime
from connectors import shared_limits
from connectors.paging import shared_bucket
shared_limits.configure(sys.argv[1])
bucket = shared_bucket(sys.argv[2], 12)
print(sum(bucket.try_take(datetime.now(UTC)) for _ in range(10)))
"""


@pytest.fixture
def in_process() -> Iterator[None]:
    shared_limits.configure(None)
    yield
    shared_limits.configure(None)


def test_three_worker_processes_share_one_budget_through_redis() -> None:
    key = f"client-{uuid.uuid4().hex}"
    runs = [subprocess.run([sys.executable, "-c", TAKE, REDIS, key], capture_output=True, text=True, timeout=60)
            for _ in range(3)]
    taken = [int(run.stdout.strip() or -1) for run in runs]
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    assert sum(taken) == 12 and taken[0] == 10  # per-process buckets would have given 10 each: 30


def test_without_redis_the_budget_is_per_process(in_process: None) -> None:
    bucket = shared_bucket(f"k-{uuid.uuid4().hex}", 5)
    assert isinstance(bucket, TokenBucket)
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert sum(bucket.try_take(now) for _ in range(8)) == 5


def test_x_stops_when_the_apps_search_budget_is_spent(in_process: None) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    token = f"bearer-{uuid.uuid4().hex}"  # an app of its own: other tests' budgets stay untouched
    api = FakeX(token=token, clock=clock).start()
    try:
        api.add_tweet("Acme Cloud is down again", user="carol")
        connector = XConnector(XOptions(bearer_token=SecretStr(token), base_url=api.url),
                               ConnectorContext("x-acme", BRAND, clock))
        assert len(connector.fetch(None, limit=50).mentions) == 1 and connector.bucket.try_take(clock())
        other_source = shared_bucket(f"x-search:{token}", SEARCH_PER_15_MIN / 15, window_minutes=15)
        assert other_source is connector.bucket  # every source on this app spends the same budget
        while other_source.try_take(clock()):
            pass
        batch = connector.fetch(None, limit=50)
        assert batch.mentions == [] and BUDGET_SPENT in batch.problems and batch.requests_made == 0
    finally:
        api.stop()
