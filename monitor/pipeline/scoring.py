"""Scoring: sentiment and complaint signals for every mention that has none yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.base import Score, SentimentModel
from models.signals import extract_signals
from monitor.brands import BrandTerms
from monitor.pipeline.results import ScoreResult
from monitor.settings import Settings
from monitor.storage.engine import with_retries
from monitor.storage.tables import Mention

SCORE_LIMIT = 2000


def brand_terms(settings: Settings) -> dict[str, BrandTerms]:
    return {b.id: BrandTerms.of(b) for b in settings.brands}


def score_pending(engine: Engine, settings: Settings, model: SentimentModel, *, now: datetime,
                  limit: int = SCORE_LIMIT) -> ScoreResult:
    """Score up to ``limit`` mentions that have no sentiment yet, with their complaint signals."""
    brands = brand_terms(settings)
    with Session(engine) as session:
        pending = session.exec(select(Mention).where(col(Mention.sentiment).is_(None))
                               .order_by(col(Mention.id)).limit(limit)).all()
        batch_size = settings.model.batch_size
        for start in range(0, len(pending), batch_size):
            chunk = pending[start:start + batch_size]
            scores = model.score([m.text for m in chunk])
            for mention, score in zip(chunk, scores, strict=True):
                _apply_score(mention, score, model, brands.get(mention.brand_id), now)
                session.add(mention)
        with_retries(session.commit)
        return ScoreResult(scored=len(pending), limit=limit)


def _apply_score(mention: Mention, score: Score, model: SentimentModel, brand: BrandTerms | None,
                 now: datetime) -> None:
    mention.sentiment = score.label
    mention.p_negative, mention.p_neutral, mention.p_positive = score.p_negative, score.p_neutral, score.p_positive
    mention.sentiment_model = f"{model.name}@{model.version}"
    mention.scored_at = now
    mention.signals = extract_signals(mention.text, brand).to_json()
