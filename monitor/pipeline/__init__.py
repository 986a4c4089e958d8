"""The functions every runner calls: the service, the CLI, the demo, a backtest, a worker.

    poll_if_due -> score_pending -> run_detection -> deliver_due      (+ run_digest, run_retention)

Each is a plain function over an engine and settings (no scheduler, no globals) and returns a small
typed result (``results.py``), so every runner counts, logs and decides the same way.
"""

from alerts.outbox import DeliveryOutcome
from monitor.pipeline.delivery import deliver_due
from monitor.pipeline.detecting import run_detection
from monitor.pipeline.jobs import (
    digest_due,
    run_digest,
    run_retention,
    send_digests,
    source_usage,
    write_digest,
    yesterday,
)
from monitor.pipeline.polling import backing_off, poll_if_due, poll_source
from monitor.pipeline.results import (
    DeliveryResult,
    DetectionResult,
    DigestResult,
    PollResult,
    ScoreResult,
)
from monitor.pipeline.scoring import SCORE_LIMIT, brand_terms, score_pending

__all__ = [
    "SCORE_LIMIT", "DeliveryOutcome", "DeliveryResult", "DetectionResult", "DigestResult", "PollResult",
    "ScoreResult", "backing_off", "brand_terms", "deliver_due", "digest_due", "poll_if_due",
    "poll_source", "run_detection", "run_digest", "run_retention", "score_pending", "send_digests", "source_usage",
    "write_digest", "yesterday",
]
