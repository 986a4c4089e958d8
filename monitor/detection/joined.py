"""A big customer's churn threat joining an open incident is news for that incident's thread, told once.

A churn threat that joins a spreading incident (spike or story) is a facet of the event, not an incident of its
own (``monitor.detection.joining``). But a customer whose threat would have paged on its own (a key account, or
``churn_page_followers`` followers or more: ``watchlist.big_customer``) is worth telling the people already on
the incident: one ``joined`` update of its thread that says who (handle, audience), what they said (short) and
that they joined the ongoing story. Once per person and incident (``changes.announce_person``): their second post
joins quietly. Whether it pages is the pipeline's page-budget decision, as for any page
(``monitor.pipeline.alerting``). The post is remembered in ``details["joined"][person]`` so the message can lead
with it. Several big customers joining one incident are folded (``monitor.detection.joined_fold``): the first is
told at once, the ones within ``detection.joined_fold_minutes`` after an update go out together as one update
naming them all ("3 more big customers joined this complaint: ..."), which is one page under the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from monitor.detection import joined_fold, watchlist
from monitor.detection import pass_queries as queries
from monitor.detection.changes import IncidentChange, announce_person
from monitor.detection.simple_rules import Finding
from monitor.settings import BrandSettings, Settings
from monitor.storage.tables import Incident, Mention

EVENT = "joined"
QUOTE_CHARS = 100  # what they said, one short line (the message shows the whole post as its first example)
FOLD_QUOTES, FOLD_QUOTE_CHARS = 3, 40  # a folded update quotes its first few people, shorter; names all of them
FOLD_CHARS = 900  # past this a folded update says "and N more" (``groundswell incidents show`` has them all)
SPREAD = ("spike", "story")


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """The post on one line, cut at a word near ``limit`` characters."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] if " " in line[:limit] else line[:limit]
    return cut.rstrip(",;:.-") + "..."


def leaving_words(mention: Mention) -> str:
    """What the churn signal says they are doing, in plain words ("is cancelling their service")."""
    reason = str(((mention.signals or {}).get("churn_threat") or {}).get("reason") or "")
    words = reason.split(":", 1)[0].strip()
    return words or "says they are leaving"


def who(mention: Mention, key_account: bool) -> str:
    """"@sam (one of your key accounts, 1,200 followers)" / "@sam (900,000 followers)"."""
    audience = f"{mention.author_followers:,} followers" if mention.author_followers is not None else ""
    parts = [p for p in ("one of your key accounts" if key_account else "", audience) if p]
    return f"@{mention.author_handle}" + (f" ({', '.join(parts)})" if parts else "")


def summary(mention: Mention, key_account: bool) -> str:
    """"@sam (900,000 followers) is cancelling their service and joined this complaint: "..."" (plain words)."""
    return f'{who(mention, key_account)} {leaving_words(mention)} and joined this complaint: "{quote(mention.text)}"'


def big_customer_joined(session: Session, settings: Settings, brand: BrandSettings, incident: Incident,
                        finding: Finding, now: datetime) -> list[IncidentChange]:
    """The ``joined`` change for a churn threat from a customer who would have paged on their own, joining an
    open spreading incident; nothing for anyone else, or for someone this incident already told about."""
    facets = set(incident.facets or {}) | {incident.trigger}
    if finding.trigger != "churn_threat" or incident.status in ("watch", "resolved") or not facets & set(SPREAD):
        return []
    mentions = session.exec(select(Mention).where(Mention.brand_id == brand.id,
                                                  col(Mention.id).in_(finding.mention_ids or [-1]))).all()
    big = watchlist.big_customer(settings, brand, sorted(mentions, key=lambda m: m.id or 0))
    if big is None:
        return []
    mention, why = big
    person = f"{mention.platform}:{mention.author_id}"
    text = summary(mention, "key account" in why)
    change = announce_person(incident, EVENT, person, text,
                             f"joined #{incident.id} [{brand.id}] sev {incident.severity}: {text}")
    if change is None:
        return []
    details = dict(incident.details or {})
    joined = dict(details.get("joined") or {})
    joined[person] = {"mention_id": mention.id, "at": now.isoformat(), "why": why}
    incident.details = {**details, "joined": joined}
    session.add(incident)
    if joined_fold.hold(incident, person, settings.detection.joined_fold_minutes, now):
        return []  # told with the others in the incident's next update (``flush_due``)
    joined_fold.mark_told(incident, now)
    return [change]


def flush_due(session: Session, brand: BrandSettings, now: datetime) -> list[IncidentChange]:
    """One ``joined`` update per unresolved incident whose fold of waiting big customers is due. An incident
    resolved by hand with people still waiting sends nothing more (its thread is closed): the digest names them."""
    changes = []
    for incident in queries.fetch_ids(session, queries.folds(), brand=brand.id):
        if joined_fold.is_due(incident, now):
            changes.append(_fold_change(session, brand, incident, now))
            session.add(incident)
    return changes


def _fold_change(session: Session, brand: BrandSettings, incident: Incident, now: datetime) -> IncidentChange:
    people = joined_fold.take(incident, now)
    entries = (incident.details or {}).get("joined") or {}
    ids = {p: int(e["mention_id"]) for p in people if isinstance(e := entries.get(p), dict)
           and isinstance(e.get("mention_id"), int)}
    rows = {m.id: m for m in session.exec(select(Mention).where(col(Mention.id).in_(list(ids.values()) or [-1])))}
    named = [(m, "key account" in str(entries[p].get("why", ""))) for p in people
             if (m := rows.get(ids.get(p, -1))) is not None]
    text = fold_summary(named, len(people), incident.id or 0)
    return IncidentChange(incident.id or 0, incident.brand_id, EVENT, incident.severity, text,
                          f"joined #{incident.id} [{brand.id}] sev {incident.severity}: {text}"[:2000],
                          about=people[0])


def fold_summary(named: Sequence[tuple[Mention, bool]], count: int, incident_id: int,
                 limit: int = FOLD_CHARS) -> str:
    """"3 more big customers joined this complaint: @a (900,000 followers) "cancelling..."; @b (...) ...": everyone
    in the fold by handle and audience, the first few with what they said; cut with "and N more" at ``limit``."""
    head = f"{count} more big customer{'s' if count != 1 else ''} joined this complaint: "
    parts = [who(m, key) + (f' "{quote(m.text, FOLD_QUOTE_CHARS)}"' if k < FOLD_QUOTES else "")
             for k, (m, key) in enumerate(named)]
    shown = len(parts)
    while True:
        rest = count - shown
        text = head + "; ".join(parts[:shown]) + (f"; and {rest} more (groundswell incidents show {incident_id})"
                                                  if rest else "")
        if len(text) <= limit or shown <= 1:
            return text
        shown -= 1
