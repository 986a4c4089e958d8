"""Where one X query stands: the head (everything newer is unread) and the gaps a backlog left below it.

Why (issue #17): after an outage or a rate limit, a query's backlog can be thousands of posts, read 300 a
poll.  Read oldest-gap-first, every post made meanwhile waited until the whole backlog was read.  Now each
poll reads the head first (newest first), then the gaps, newest gap first; a head read that stops early
leaves a new gap below it.  Nothing is skipped: a gap is only dropped once read to its end (or when X no
longer serves it: older than its 7-day window).

A position is JSON kept in the cursor: ``{"since_id": H}`` (or ``{"start_time": T}`` before the first post),
plus ``"gaps": [{"since_id" | "start_time": ..., "until_id": U}, ...]``, newest first.  The format before
this change, ``{lower, "until_id": U, "newest": N}`` (one backlog, read before anything newer), is read as
head ``N`` with one gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QueryState = dict[str, Any]
MAX_GAPS = 16  # past this the two oldest gaps merge: the posts between them are read again (stored once)


@dataclass
class ReadRange:
    """One read of a query between two positions, newest first: how far it got."""

    lower: QueryState
    newest: str | None = None
    oldest: str | None = None
    done: bool = False  # read to its end
    truncated: bool = False  # the limit cut a page
    rejected: bool = False  # X refused the lower bound (older than 7 days): read from the window's edge


def lower_bound(position: QueryState) -> QueryState:
    """The part of a position or gap that says where reading stops going back."""
    return {key: position[key] for key in ("since_id", "start_time") if position.get(key)}


def normalised(state: QueryState, start_time: str) -> QueryState:
    """A saved position in today's form; an empty one starts at ``start_time``."""
    if state.get("until_id"):  # a backlog saved by the version that read it before anything newer
        gap = {**lower_bound(state), "until_id": state["until_id"]}
        head = {"since_id": state["newest"]} if state.get("newest") else lower_bound(state)
        return {**head, "gaps": [gap, *state.get("gaps", [])]}
    if not lower_bound(state):
        return {"start_time": start_time, "gaps": list(state.get("gaps", []))}
    return {**lower_bound(state), "gaps": list(state.get("gaps", []))}


def with_gaps(head: QueryState, gaps: list[QueryState]) -> QueryState:
    """The position to save: the head, and the gaps if any are left (at most MAX_GAPS)."""
    gaps = list(gaps)
    while len(gaps) > MAX_GAPS:
        older = gaps.pop()
        gaps[-1] = {**lower_bound(older), "until_id": gaps[-1]["until_id"]}
    return {**head, "gaps": gaps} if gaps else dict(head)


def newer_id(a: str | None, b: str | None) -> str | None:
    """The larger of two post ids (X ids grow with time); None when both are missing."""
    if a is None or b is None:
        return a or b
    return a if int(a) >= int(b) else b
