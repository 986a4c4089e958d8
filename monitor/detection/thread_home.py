"""Which open thread a finding belongs to: a person's trigger inside a wave or a story, a wave a story told first.

Why (issue #12: one real-world event, one incident; every page counts against the brand's budget):

* A churn threat (or another individual trigger) from someone who is part of an open wave or story is news of that
  incident, not an incident of its own: the detector names the incident (``Finding.joins``) and the incident layer
  joins it there, as a facet. A big customer among them is still told once in the thread (``joined.py``: the
  existing rule for a threat that would have paged on its own); anyone else goes in quietly. Before, such a person
  was tied to the wave's incident only if they complained in the hour before it paged or their words matched its few
  examples, so most opened a watch-list incident of their own, and a big customer's became a second page.
  Part of a story: their post joined the story, or they are among its people, and it paged and was active in the
  last ``ACTIVE_S``. Part of a wave: they told it since it paged (``wave_thread.WaveThread.member``).
* A slow wave whose complaints a story told first (the story paged hours before the wave test did) is the story's
  incident going on: when the wave test pages and a story that paged or escalated in the last ``ACTIVE_S`` (its
  incident still open: an old story a new wave wakes up is not) and was told in the wave's window holds
  ``HOME_SHARE`` of the wave's extra people (its negative people of the window and the one before), or says
  ``wave_thread.MIN_SHARED`` of the window's rare words (and its sentence vectors agree, as a story joining a wave
  must), the wave's finding joins the story's incident (one thread) instead of opening its own.
"""

from __future__ import annotations

import math

import numpy as np

from monitor.detection.stories import StoryTracker
from monitor.detection.wave_thread import MIN_COS, MIN_SHARED, WaveThread

ACTIVE_S = 3 * 3600.0  # a story that paged counts as open while it had a post this recently (quiet_minutes: 180)
HOME_SHARE = 0.25  # of the wave's extra people: the story's negative people of the last two windows


def story_member(tracker: StoryTracker, who: str, ts: float, sid: str | None) -> str:
    """The key of an open story that paged and holds this person (``sid``: the story their post joined first)."""
    story = tracker.stories.get(sid) if sid is not None else None
    if story is not None and story.alerted and story.last_ts >= ts - ACTIVE_S:
        return f"story:{sid}"
    best, most = "", -1.0
    for key, st in tracker.stories.items():
        if st.alerted and st.last_ts >= ts - ACTIVE_S and who in st.authors and st.last_ts > most:
            best, most = f"story:{key}", st.last_ts
    return best


def wave_home(tracker: StoryTracker, thread: WaveThread, start: float, hours: int, extra: float) -> str:
    """The key of the open story a paging wave belongs to ("" when none): of the stories that paged and were told in
    the window, the one with the most negative people in the window and the one before it (a slow wave rose there),
    if they are ``HOME_SHARE`` of the wave's extra people, or if it tells the window's rare words."""
    since, rise = start - hours * 3600, start - 2 * hours * 3600  # the window, and the one before: a slow rise
    told = thread.window(start, hours)
    marks = thread.wave_words(tracker.stats, told)
    norm = float(np.linalg.norm(told["vec"])) if told["nv"] else 0.0
    best, most = "", -1
    for sid, st in tracker.stories.items():
        if not st.alerted or st.last_ts < since or thread.news.get(sid, -math.inf) < start - ACTIVE_S:
            continue  # not told in the window, or its incident has had no news for hours (resolved as quiet)
        people = sum(1 for v in st.authors.values() if v.real >= rise and v.imag >= 0.5)
        if people < HOME_SHARE * extra:
            if len(marks & set(st.words)) < MIN_SHARED:
                continue
            mine = tracker.lookup.vectors.centroid(sid)
            if mine is not None and norm > 0 and float(mine @ told["vec"]) / norm < MIN_COS:
                continue
        if people > most:
            best, most = f"story:{sid}", people
    return best
