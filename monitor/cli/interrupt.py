"""Ctrl-C is never lost: one that lands in a finalizer is raised again where the command can stop.

Why: Python raises KeyboardInterrupt wherever the main thread is when the signal arrives.  If that is a
garbage-collection callback (SQLAlchemy runs one each time an event registry is collected), Python prints
"Exception ignored in ..." and carries on: a backtest interrupted at the wrong moment ran to the end and
exited 0.  Such an interrupt is taken off stderr here and raised again 50 ms later by SIGALRM, by which
time the callback has returned.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

_REDELIVERY_S = 0.05


def keep_interrupts() -> None:
    """Install the hook (main thread only: signal handlers can be set nowhere else)."""
    if not hasattr(signal, "setitimer"):  # Windows: no SIGALRM
        return
    signal.signal(signal.SIGALRM, _raise_again)
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            signal.setitimer(signal.ITIMER_REAL, _REDELIVERY_S)  # a C call: nothing here can be interrupted
            return
        previous(unraisable)

    sys.unraisablehook = hook


def pending() -> bool:
    """A swallowed Ctrl-C is waiting to be raised again."""
    return hasattr(signal, "getitimer") and signal.getitimer(signal.ITIMER_REAL)[0] > 0


def _raise_again(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt
