"""What the service did since the last heartbeat: counts from every job, read and reset as one log line."""

from __future__ import annotations

import threading
from collections import Counter

from monitor.logs import plural

HEARTBEAT_MINUTES = 15


class Activity:
    """Thread-safe tallies (jobs run in a pool); ``heartbeat_line`` reads and resets them."""

    def __init__(self) -> None:
        self._tally: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, **amounts: int) -> None:
        with self._lock:
            self._tally.update(amounts)

    def heartbeat_line(self) -> str:
        with self._lock:
            t, self._tally = self._tally, Counter()
        failed = f" ({plural(t['poll_failures'], 'failure')})" if t["poll_failures"] else ""
        undelivered = f", {plural(t['failed'], 'delivery', 'deliveries')} failed" if t["failed"] else ""
        return (f"alive; last {HEARTBEAT_MINUTES} min: {plural(t['polls'], 'poll')}{failed}, "
                f"{plural(t['new'], 'mention')} new, {t['scored']:,} scored, {plural(t['incidents'], 'incident')} "
                f"opened, {plural(t['sent'], 'alert')} sent{undelivered}")
