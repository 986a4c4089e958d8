"""The `groundswell run` process: the instance lock, signals, the lock watch, and the Service's life.

SIGTERM/SIGINT stop new work and let running jobs finish; SIGHUP reloads settings; a lost instance lock pauses
the jobs until it is taken again, and another instance taking it stops this one.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Any

from monitor import heap
from monitor.service import lock as instance_lock
from monitor.service.memtrace import start_from_env
from monitor.service.scheduler import Service
from monitor.settings import Settings

log = logging.getLogger("groundswell.service")


def serve(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT; one instance per database (AlreadyRunning otherwise)."""
    heap.pin_mmap_threshold()  # large buffers mapped and unmapped, not left in the arenas (monitor/heap.py)
    heap.limit_arenas()  # before the scheduler's threads: a flat RSS over weeks (monitor/heap.py)
    start_from_env()  # dev-only heap tracing for soak runs (GROUNDSWELL_TRACEMALLOC); nothing when unset
    held = instance_lock.acquire(settings.database_url())
    service = Service(settings)
    service.lock = held
    watch = instance_lock.LockWatch(held)
    wake = threading.Event()
    reload_wanted = threading.Event()

    def on_stop(signum: int, _frame: Any) -> None:
        log.info("received %s; finishing running jobs", signal.Signals(signum).name)
        service.stopping.set()
        wake.set()

    def on_hup(_signum: int, _frame: Any) -> None:
        reload_wanted.set()
        wake.set()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    finished = True
    try:
        if not service.stopping.is_set():
            service.start()
        while not service.stopping.is_set():
            wake.wait(1.0)
            wake.clear()
            service.paused = not watch.check()  # AlreadyRunning (another took the lock) stops this one
            if reload_wanted.is_set() and not service.stopping.is_set():
                reload_wanted.clear()
                service.reload()
    finally:
        finished = service.shutdown()
        held.release()
        log.info("groundswell stopped")
    if not finished:
        logging.shutdown()
        os._exit(0)
