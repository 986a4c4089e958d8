"""A catch-up on X (issue #17): how many polls a complaint made during a backlog waits before it is read.

    python benchmarks/x_backlog.py --backlog 3000 --per-poll 5

The real X connector (tweepy) against the local fake X API (monitor/replay/fakes/x_api.py): ``--backlog``
posts wait after an outage; from then on ``--per-poll`` new posts arrive between polls, and each poll may read
``reads_per_poll`` (300, the default) posts.  It polls until everything is read and prints JSON: for the posts
made during the catch-up, how many polls each waited (p50/max), the polls until the backlog was drained, the
posts read in all and whether every post was read exactly once.  Run it on two checkouts to compare versions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr  # noqa: E402

from connectors.base import ConnectorContext  # noqa: E402
from connectors.x import XConnector, XOptions  # noqa: E402
from monitor.clock import ManualClock  # noqa: E402
from tests.fakes.x_api import ACME_TERMS, FakeX  # noqa: E402


def run(backlog: int, per_poll: int, reads: int) -> dict[str, object]:
    clock = ManualClock(datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    api = FakeX(clock=clock).start()
    try:
        options = XOptions(bearer_token=SecretStr("test-bearer"), base_url=api.url, reads_per_poll=reads,
                           include_brand_replies=False)
        connector = XConnector(options, ConnectorContext("x-acme", ACME_TERMS, clock))
        made_at: dict[str, int] = {api.add_tweet(f"acme is down {i}"): 0 for i in range(backlog)}
        waited, seen, cursor, poll = [], [], None, 0
        while poll < 10_000:
            poll += 1
            batch = connector.fetch(cursor, limit=10_000)
            cursor = batch.cursor
            for mention in batch.mentions:
                seen.append(mention.external_id)
                if made_at[mention.external_id] > 0:
                    waited.append(poll - made_at[mention.external_id])
            if len(set(seen)) == len(made_at) and poll > 1:
                break
            clock.advance(timedelta(minutes=1))
            if len(set(seen)) < backlog:  # new posts arrive while the backlog is read
                made_at.update({api.add_tweet(f"acme still down {poll}-{i}"): poll for i in range(per_poll)})
        return {"backlog": backlog, "per_poll": per_poll, "reads_per_poll": reads, "polls": poll,
                "made_during_catch_up": len(made_at) - backlog,
                "polls_waited_p50": statistics.median(waited) if waited else None,
                "polls_waited_max": max(waited) if waited else None,
                "read": len(seen), "each_read_once": sorted(seen) == sorted(made_at)}
    finally:
        api.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=3000)
    parser.add_argument("--per-poll", type=int, default=5)
    parser.add_argument("--reads-per-poll", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(run(args.backlog, args.per_poll, args.reads_per_poll), indent=2))


if __name__ == "__main__":
    main()
