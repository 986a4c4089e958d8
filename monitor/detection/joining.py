"""One real-world event, one incident: which open incident a new finding belongs to.

A finding joins an incident of the same brand that was active within ``join_minutes`` when it has the
same key (the same story or one merged into it: ``aliases``; the same person's
trigger), or shares people with it, or one of its mentions
answers, quotes or reposts one of the incident's (or the other way round: ``join_links``), or says the same thing in
other words (the mean sentence vector of its examples, as stored per mention by ``models.embedding``, at
cosine ``join_similarity`` or more from the incident's), or shares enough distinctive words, or (spike and
story) is mostly the same kind of grievance (the complaint category of ``models.signals``: a new wording
of an outage is still the outage) with ``CATEGORY_WORDS`` uncommon words in common (two billing
complaints of one hour are not one event unless they share what they are about; outages need none).
Shared words and category need corroboration where both sides have vectors (cosine ``CORROBORATE`` or
more), and the brand's everyday complaint words ("customer", "service") never count (``join_background``):
unrelated complaints of the same hour share those. A spike is judged by its examples; the crowd behind it
(every negative author of the hour) is kept apart and ties a story only to a spike-only incident, so a
spike never merges two complaints (``benchmarks/incident_join.py``). Individual triggers join spreading
incidents only; they never join each other unless the person is the same. A finding the detector already placed
(``Finding.joins``: a story retelling a wave, a person's trigger inside an open wave or story, a wave a story told
first: ``wave_thread``, ``thread_home``) joins the incident holding that key while it is open. The evidence an
incident keeps for joining (keys, people, crowd, words, mean vector) lives in ``details["join"]``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

import numpy as np
from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from monitor.detection import recent_incidents
from monitor.detection.incident_vectors import incident_vector, merged_vector, unit
from monitor.detection.join_background import common_words
from monitor.detection.join_links import absorb_links, linked, post_and_links
from monitor.detection.simple_rules import Finding
from monitor.detection.story_text import STOPWORDS as STORY_STOPWORDS
from monitor.detection.story_vectors import as_vector
from monitor.detection.wave_incident import kept_keys, keyed
from monitor.settings import BrandSettings
from monitor.storage.tables import Incident, Mention

SPREAD = ("spike", "story")
INDIVIDUAL = ("churn_threat", "high_reach", "repeat_complainer")
MAX_PEOPLE, MAX_WORDS, SHARED_WORDS = 600, 40, 3
JOIN_SIMILARITY = 0.75  # default of detection.join_similarity (chosen on benchmarks/incident_join.py --split tune)
BY_VECTORS = "the same thing in other words"
BY_LINK = "a reply or quote"
BY_MERGE = "the same story, told in more ways"  # a story the detector merged another (that had paged) into
BY_WAVE = "the complaint behind the rise"  # a story retelling a wave's complaints (``Finding.joins``, wave_thread.py)
BY_RISE = "more people than usual telling it"  # a wave whose complaints a story told first (thread_home.py)
BY_MEMBER = "one of its people"  # a person's trigger inside an open wave or story (thread_home.py)
JOINS_WHY = {"story": BY_WAVE, "spike": BY_RISE}
BROAD = frozenset(["outage"])  # told in the most different words (alert_budget's outages): no corroboration
# uncommon words a category join needs besides: on benchmarks/incident_join.py --split tune, 0 (before) /
# 1 / 2 words gave 10 / 6 / 4 false joins of 64 pairs and 9 / 8 / 8 of 12 retold grievances as one incident
CATEGORY_WORDS = 2
CORROBORATE = 0.5  # shared words or category join only if the vectors (when both have one) are this close
_WORD = re.compile(r"[a-z]{4,}")
STOPWORDS = frozenset([
    "this", "that", "with", "have", "from", "they", "them", "their", "there", "what", "when", "where", "which",
    "will", "would", "could", "should", "about", "after", "again", "been", "being", "before", "just", "like",
    "more", "most", "much", "only", "other", "some", "such", "than", "then", "these", "those", "very", "your",
    "yours", "into", "over", "also", "because", "does", "doing", "here", "http", "https", "dont", "cant",
    "wont", "isnt", "still", "even", "really", "today", "tonight", "week", "month", "time", "thanks", "thank",
    "please",
])
_MENTIONS: Any = Mention.__table__  # type: ignore[attr-defined]
_INCIDENTS: Any = Incident.__table__  # type: ignore[attr-defined]
_EVIDENCE = ("embedding", "external_id", "local_id", "parent_id", "quoted_id", "reposted_id", "is_brand_reply",
             "platform", "author_id", "author_followers", "text", "signals")  # what ``evidence`` reads
GENERIC = STORY_STOPWORDS  # a category join's shared words must be more than these ("same", "help", "still")


@dataclass
class Evidence:
    """Who and what a finding is about."""

    people: set[str] = field(default_factory=set)
    words: Counter[str] = field(default_factory=Counter)
    grievances: Counter[str] = field(default_factory=Counter)  # complaint categories (outage, billing...)
    reach: int = 0
    mention_ids: list[int] = field(default_factory=list)
    vector: np.ndarray | None = None  # unit mean sentence vector of the examples (None: no vectors stored)
    vectors: int = 0  # how many examples had one
    crowd: set[str] = field(default_factory=set)  # everyone behind it (a spike: every negative author that hour)
    posts: set[str] = field(default_factory=set)  # its mentions' post ids (not the brand's own)
    links: set[str] = field(default_factory=set)  # the posts they answer, quote or repost


def words_of(text: str, ignore: frozenset[str]) -> set[str]:
    """Distinctive lower-case words: no stopwords, no brand names, crude plural folding."""
    out = set()
    for word in _WORD.findall(text.lower()):
        word = word[:-1] if word.endswith("s") and len(word) > 4 else word
        if word not in STOPWORDS and word not in ignore:
            out.add(word)
    return out


def brand_words(brand: BrandSettings) -> frozenset[str]:
    names = [brand.id, brand.name, *brand.names, *brand.handles]
    return frozenset(w.rstrip("s") for name in names for w in _WORD.findall(name.lower()))


def evidence(session: Session, brand: BrandSettings, finding: Finding, now: datetime) -> Evidence:
    """The people and words behind a finding (its example mentions). A spike also has a crowd: the people of
    every negative mention of the last hour (who complained, not what about: only four columns are read)."""
    ignore = brand_words(brand)
    ignore |= common_words(session, brand.id, now, partial(words_of, ignore=ignore))
    ev = Evidence(mention_ids=list(finding.mention_ids), posts=set(finding.posts))
    total = np.zeros(0, dtype=np.float32)
    rows = session.connection().execute(_examples(), {"brand": brand.id, "ids": list(finding.mention_ids or [-1])})
    for m in rows:
        if (vector := as_vector(m.embedding)) is not None:
            total, ev.vectors = (vector if not ev.vectors else total + vector), ev.vectors + 1
        post, links = post_and_links(m)
        ev.posts.update([post] if post else [])
        ev.links |= links
        who = f"{m.platform}:{m.author_id}"
        if who not in ev.people:
            ev.people.add(who)
            ev.reach += m.author_followers or 0
        ev.words.update(words_of(m.text, ignore))
        category = ((m.signals or {}).get("category") or {}).get("value")
        if category:
            ev.grievances[str(category)] += 1
    ev.vector = unit(total) if ev.vectors else None
    ev.crowd = set(ev.people)
    if finding.trigger == "spike":
        _add_crowd(session, brand.id, now, ev)
    return ev


@cache
def _examples() -> Any:
    """What ``evidence`` reads of a finding's example mentions: plain rows, on the session's connection (built once;
    bound per finding: building it cost more than running it, and loading whole ORM mentions twice that)."""
    m = _MENTIONS.c
    return core_select(*(m[c] for c in _EVIDENCE)).where(m.brand_id == bindparam("brand"),
                                                   m.id.in_(bindparam("ids", expanding=True))).limit(2000)


@cache
def _same_key() -> Any:
    """The id of the incident with this key (one at most): a plain row, the incident then from the session (most
    findings have none, and the ORM's query cost three times this one)."""
    return core_select(_INCIDENTS.c.id).where(_INCIDENTS.c.key == bindparam("key"))


def _add_crowd(session: Session, brand_id: str, now: datetime, ev: Evidence) -> None:
    crowd = session.exec(select(Mention.platform, Mention.author_id, Mention.author_followers).where(
        Mention.brand_id == brand_id, Mention.sentiment == "negative", Mention.posted_at > now - timedelta(minutes=60),
        Mention.posted_at <= now, Mention.is_brand_reply == False).limit(2000))  # noqa: E712
    for platform, author, followers in crowd:
        if (who := f"{platform}:{author}") not in ev.crowd:
            ev.crowd.add(who)
            ev.reach += followers or 0


def grievance(counts: Counter[str] | dict[str, int]) -> str:
    """The complaint category most of these mentions share ("" when none has a clear majority)."""
    total = sum(counts.values())
    if not total:
        return ""
    name, top = max(counts.items(), key=lambda item: item[1])
    return name if top * 2 > total else ""


def _join_data(incident: Incident) -> dict[str, Any]:
    return dict((incident.details or {}).get("join", {}))


def _keys(incident: Incident) -> set[str]:
    return {incident.key, *_join_data(incident).get("keys", [])}


def _people(data: dict[str, Any], facets: set[str]) -> set[str]:
    """Who ties a finding to the incident: its stories' and triggers' people, and a spike's crowd only while
    no story is part of it (a spike counts everyone complaining that hour, whatever about)."""
    people = set(data.get("people", []))
    return people | set(data.get("spike_people", [])) if "story" not in facets else people


def shares(incident: Incident, finding: Finding, ev: Evidence, min_cos: float = JOIN_SIMILARITY) -> str:
    """Why the finding belongs to the incident ("" when it does not)."""
    data = _join_data(incident)
    facets = set(incident.facets or {}) | {incident.trigger}
    people = _people(data, facets)
    if finding.trigger in INDIVIDUAL and not facets & set(SPREAD):
        return "the same person" if ev.people & people and finding.trigger in facets else ""
    if finding.trigger == "spike" and "spike" in facets:
        return "the same spike"
    if ev.people & people:
        return "the same people"
    if linked(data, ev.posts, ev.links):
        return BY_LINK
    theirs = incident_vector(data)
    cos = float(ev.vector @ theirs) if ev.vector is not None and theirs is not None else None
    if cos is not None and cos >= min_cos:
        return BY_VECTORS
    return _by_content(data, finding, ev, cos)


def _by_content(data: dict[str, Any], finding: Finding, ev: Evidence, cos: float | None) -> str:
    """Shared distinctive words, or the same kind of grievance with a few uncommon words in common.

    A category alone ties two different complaints of one kind (a double charge and a price rise are both
    "billing"), so it needs ``CATEGORY_WORDS`` shared words that are neither the brand's everyday complaint
    words nor generic ones ("same", "still"); an outage is told in the most different words and needs none."""
    mine = grievance(ev.grievances)
    same_kind = finding.trigger in SPREAD and bool(mine) and mine == grievance(data.get("grievances", {}))
    if cos is not None and cos < CORROBORATE and not (same_kind and mine in BROAD):
        return ""  # words or a category in common, but saying something else
    shared = set(data.get("words", {})) & {w for w, _ in ev.words.most_common(MAX_WORDS)}
    if len(shared) >= SHARED_WORDS:
        return "the same words"
    if same_kind and (mine in BROAD or len(shared - GENERIC) >= CATEGORY_WORDS):
        return f"the same {mine} complaint"
    return ""


def _absorb_content(data: dict[str, Any], ev: Evidence) -> None:
    """The finding's words, complaint categories and sentence vector, merged into the incident's."""
    absorb_links(data, ev.posts, ev.links)
    words: Counter[str] = Counter(dict(data.get("words", {})))
    words.update({w: 1 for w in ev.words})
    grievances: Counter[str] = Counter(dict(data.get("grievances", {}))) + ev.grievances
    data.update({"words": dict(words.most_common(MAX_WORDS)), "grievances": dict(grievances.most_common(8)),
                 **merged_vector(data, ev.vector, ev.vectors)})


def spike_home(recent: list[Incident], ev: Evidence) -> Incident | None:
    """For a spike whose examples match no incident: the open incident with the most of its people in the
    spike's crowd (it joins one complaint at most, and brings none of the crowd's people or words to it)."""
    best, most = None, 0.0
    for incident in recent:
        if incident.status == "resolved":
            continue
        overlap = len(ev.crowd & _people(_join_data(incident), set(incident.facets or {}) | {incident.trigger}))
        if overlap > 0 and overlap >= most:
            best, most = incident, overlap + 1e-9
    return best


def _merged_home(session: Session, finding: Finding, recent: Any) -> Incident | None:
    """The open incident of a story the detector merged into this finding's (``aliases``): opened under its key
    (however long ago) or joined by it. A resolved one is left closed: the story then opens an incident of its own."""
    ids = [session.connection().execute(_same_key(), {"key": key}).scalar() for key in finding.aliases]
    homes = [*(session.get(Incident, i) for i in ids if i is not None),
             *(i for i in recent if _keys(i) & {*finding.aliases})]
    return next((i for i in homes if i is not None and i.status != "resolved"), None)


def find_incident(session: Session, brand_id: str, finding: Finding, ev: Evidence, now: datetime,
                  join_minutes: int, min_cos: float = JOIN_SIMILARITY,
                  pass_view: recent_incidents.RecentIncidents | None = None) -> tuple[Incident | None, str]:
    """(incident, why) for this finding: the same key first, then an active incident it overlaps.

    ``pass_view``: the detection pass's recent incidents, read once for all its findings."""
    if session.new:
        session.flush()  # what the query's autoflush did (incidents are flushed as they open: never, in a pass)
    same_id = session.connection().execute(_same_key(), {"key": finding.key}).scalar()  # keys are unique
    if same_id is not None and (same := session.get(Incident, same_id)) is not None:
        return same, "the same key"
    recent = (recent_incidents.query_recent(session, brand_id, now - timedelta(minutes=join_minutes))
              if pass_view is None else pass_view.current(session, brand_id, now, join_minutes))
    for incident in recent:
        if finding.key in _keys(incident):
            return incident, "the same key"
    if finding.aliases and (merged := _merged_home(session, finding, recent)) is not None:
        return merged, BY_MERGE
    if finding.joins and (home := keyed(session, finding.joins, list(recent))) is not None:
        return home, JOINS_WHY.get(finding.trigger, BY_MEMBER)  # wave_thread.py, thread_home.py
    for incident in recent:
        if incident.status != "resolved" and (why := shares(incident, finding, ev, min_cos)):
            return incident, why
    if finding.trigger == "spike" and (home := spike_home(list(recent), ev)) is not None:
        return home, "mostly the same people"
    return None, ""


def absorb(incident: Incident, finding: Finding, ev: Evidence, now: datetime) -> bool:
    """Add the finding's key, people and words to the incident; True when it brings a new facet.

    A spike adds its crowd (``spike_people``) apart from the people: who complained that hour is no evidence of
    what about. Its examples' words and vector count only while the incident has no story (a spike-only
    incident must say what it is about, or the outage's story, told later by new people, opens a second one)."""
    data = _join_data(incident)
    keys = list(data.get("keys", []))
    if finding.key != incident.key and finding.key not in keys:
        keys = kept_keys(keys + [finding.key])
    data["keys"], data["reach"] = keys, max(int(data.get("reach", 0) or 0), ev.reach)
    if finding.trigger == "spike":
        crowd = list(data.get("spike_people", []))
        data["spike_people"] = (crowd + sorted(ev.crowd - set(crowd)))[-MAX_PEOPLE:]
    else:
        people = list(data.get("people", []))
        data["people"] = (people + sorted(ev.people - set(people)))[-MAX_PEOPLE:]
    if finding.trigger != "spike" or "story" not in (incident.facets or {}):
        _absorb_content(data, ev)  # a spike-only incident says what its examples say, so its story can find it
    facets = dict(incident.facets or {})
    new = finding.trigger not in facets
    if new:
        facets[finding.trigger] = {"since": now.isoformat(), "reason": finding.reason[:300]}
    else:
        facets[finding.trigger] = {**facets[finding.trigger], "reason": finding.reason[:300]}
    incident.facets = facets
    incident.details = {**(incident.details or {}), "join": data}
    return new
