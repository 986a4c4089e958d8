"""Scoring: sentiment and complaint signals for every mention that has none yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.base import SentimentModel
from models.language import detect_language
from models.loader import load_sentiment_model
from models.routing import Routed, SentimentRouter
from models.signals import extract_signals
from monitor.brands import BrandTerms
from monitor.pipeline.results import ScoreResult
from monitor.settings import Settings
from monitor.storage.engine import with_retries
from monitor.storage.tables import Mention

SCORE_LIMIT = 2000


def brand_terms(settings: Settings) -> dict[str, BrandTerms]:
    return {b.id: BrandTerms.of(b) for b in settings.brands}


def sentiment_router(settings: Settings, model: SentimentModel) -> SentimentRouter:
    """``model`` for ``model.sentiment_languages`` plus the per-language models the settings name."""
    m = settings.model
    return SentimentRouter(model, m.sentiment_languages, {
        code: load_sentiment_model(spec, threads=m.threads, batch_size=m.batch_size, max_length=m.max_length)
        for code, spec in m.sentiment_by_language.items()})


def score_pending(engine: Engine, settings: Settings, model: SentimentModel | SentimentRouter, *, now: datetime,
                  limit: int = SCORE_LIMIT) -> ScoreResult:
    """Score up to ``limit`` mentions that have no sentiment yet (each by its language's model, or "unscored"
    when no model covers it), with their language and complaint signals."""
    brands = brand_terms(settings)
    router = model if isinstance(model, SentimentRouter) else sentiment_router(settings, model)
    with Session(engine) as session:
        pending = session.exec(select(Mention).where(col(Mention.sentiment).is_(None))
                               .order_by(col(Mention.id)).limit(limit)).all()
        batch_size = settings.model.batch_size
        for start in range(0, len(pending), batch_size):
            chunk = pending[start:start + batch_size]
            languages = [detect_language(m.text, m.lang) for m in chunk]
            routed = router.score([m.text for m in chunk], languages)
            for mention, language, result in zip(chunk, languages, routed, strict=True):
                _apply_score(mention, result, language, brands.get(mention.brand_id), now)
                session.add(mention)
        with_retries(session.commit)
        return ScoreResult(scored=len(pending), limit=limit)


def _apply_score(mention: Mention, result: Routed, language: str, brand: BrandTerms | None, now: datetime) -> None:
    score, model = result.score, result.model
    mention.lang = language
    mention.sentiment = result.label
    mention.p_negative = score.p_negative if score else None
    mention.p_neutral = score.p_neutral if score else None
    mention.p_positive = score.p_positive if score else None
    mention.sentiment_model = f"{model.name}@{model.version}" if model else None
    mention.scored_at = now
    signals = extract_signals(mention.text, brand, language=language).to_json()
    if result.reason:
        signals["sentiment_reason"] = result.reason
    mention.signals = signals
