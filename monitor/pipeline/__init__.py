"""The functions every runner calls: the service, the CLI, the demo, a backtest, a worker.

    poll_if_due -> score_pending -> run_detection -> deliver_due      (+ run_digest, run_retention)

Each is a plain function over an engine and settings (no scheduler, no globals) and returns a small
typed result (``results.py``), so every runner counts, logs and decides the same way.

The names below are imported when first used (PEP 562): a command that needs one small module of the
pipeline (``source_health`` for `groundswell sources`) does not import detection, scoring and delivery.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from monitor.storage.backlog import unscored_by_source

_HOMES = {
    "alerts.outbox": ["DeliveryOutcome"],
    "monitor.pipeline.delivery": ["deliver_due"],
    "monitor.pipeline.detecting": ["run_detection"],
    "monitor.pipeline.jobs": ["digest_due", "run_digest", "run_retention", "send_digests", "source_usage",
                              "write_digest", "yesterday"],
    "monitor.pipeline.polling": ["backing_off", "poll_if_due", "poll_source"],
    "monitor.pipeline.results": ["DeliveryResult", "DetectionResult", "DigestResult", "PollResult", "ScoreResult"],
    "monitor.pipeline.scoring": ["SCORE_LIMIT", "brand_terms", "score_pending"],
    "monitor.storage.backlog": ["unscored_by_source"],
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "SCORE_LIMIT", "DeliveryOutcome", "DeliveryResult", "DetectionResult", "DigestResult", "PollResult",
    "ScoreResult", "backing_off", "brand_terms", "deliver_due", "digest_due", "poll_if_due",
    "poll_source", "run_detection", "run_digest", "run_retention", "score_pending", "send_digests", "source_usage",
    "unscored_by_source", "write_digest", "yesterday",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (then it is a plain attribute of the package)."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value
