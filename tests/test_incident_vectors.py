"""One event told in other words is one incident: the incident layer joins findings by their sentence vectors.

Real parts: the bundled encoder (models/artifacts/embed-minilm), the mentions' stored int8 vectors, the real
incident layer on the test database. The two wordings below share no distinctive words and no complaint
category, so before vectors were used they opened two incidents (``join_similarity = 1.01`` shows it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from models.embedding import OnnxEmbedder, load_embedder, pack
from models.signals import extract_signals
from monitor.detection.incident_vectors import incident_vector
from monitor.detection.incidents import apply_finding
from monitor.detection.simple_rules import Finding
from monitor.runtime import Runtime
from monitor.settings import Settings
from monitor.storage.tables import Incident, Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 7, 18, 30, tzinfo=UTC)
CANCELLED = ["Acme just cancelled my flight at the gate with no rebooking",
             "stuck at the gate, Acme cancelled the flight, no rebooking offered",
             "Acme cancelled our 6pm flight right at the gate, zero rebooking"]
SCRAPPED = ["my Acme flight got scrapped during boarding and they won't rebook us",
            "Acme axed our flight at boarding time, refusing to rebook anyone",
            "flight scrapped by Acme as we boarded, nobody will rebook"]
LOUNGE = ["the Acme lounge at terminal 2 smells of mould and the toilets are filthy",
          "Acme lounge in terminal 2 is dirty, mouldy carpet, disgusting toilets",
          "filthy Acme lounge, terminal 2, mould on the walls"]


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    model = load_embedder("bundled", threads=1)
    assert model is not None
    return model


def story(session: Session, embedder: OnnxEmbedder, texts: list[str], who: str, minutes_ago: int) -> Finding:
    """Six people post these wordings; the story finding that names them as examples."""
    texts = (texts * 2)[:6]
    rows = [Mention(brand_id="acme", source_id="s", platform="x", external_id=f"{who}{k}", author_id=f"{who}{k}",
                    author_handle=f"{who}{k}", author_followers=100, text=text, sentiment="negative",
                    posted_at=NOW - timedelta(minutes=minutes_ago), ingested_at=NOW,
                    signals=extract_signals(text, None).to_json(), embedding=blob)
            for k, (text, blob) in enumerate(zip(texts, pack(embedder.embed(texts)), strict=True))]
    session.add_all(rows)
    session.flush()
    ids = [m.id or 0 for m in rows]
    return Finding("story", f"story:acme:{who}", 2, "story title", "6 people", ids, 6, 6, {"authors": 6})


def incidents_for(database_url: str, embedder: OnnxEmbedder, first: list[str], second: list[str],
                  similarity: float | None = None) -> list[Incident]:
    detection = {"join_similarity": similarity} if similarity is not None else {}
    settings: Settings = make_settings(database={"url": database_url}, detection=detection)
    brand = settings.brands[0]
    with Session(Runtime(settings).engine) as session:
        apply_finding(session, settings, brand, story(session, embedder, first, "a", 20), NOW - timedelta(minutes=15))
        apply_finding(session, settings, brand, story(session, embedder, second, "b", 5), NOW)
        session.commit()
        return list(session.exec(select(Incident).order_by(col(Incident.id))).all())


def test_the_same_cancellation_in_other_words_is_one_incident(database_url: str, embedder: OnnxEmbedder) -> None:
    [incident] = incidents_for(database_url, embedder, CANCELLED, SCRAPPED)
    join = (incident.details or {})["join"]
    assert join["keys"] == ["story:acme:b"] and incident_vector(join) is not None


def test_without_vectors_the_two_wordings_were_two_incidents(database_url: str, embedder: OnnxEmbedder) -> None:
    assert len(incidents_for(database_url, embedder, CANCELLED, SCRAPPED, similarity=1.01)) == 2


def test_an_unrelated_complaint_in_the_same_window_stays_apart(database_url: str, embedder: OnnxEmbedder) -> None:
    incidents = incidents_for(database_url, embedder, CANCELLED, LOUNGE)
    assert [i.key for i in incidents] == ["story:acme:a", "story:acme:b"]
    assert all((i.details or {})["join"]["keys"] == [] for i in incidents)
