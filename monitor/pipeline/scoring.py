"""Scoring: sentiment and complaint signals for every mention that has none yet."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.base import SentimentModel
from models.embedding import OnnxEmbedder, embedding_enabled, load_embedder, pack
from models.language import detect_language
from models.loader import load_sentiment_model
from models.routing import Routed, SentimentRouter
from models.signals import extract_signals
from monitor import heap
from monitor.brands import BrandTerms
from monitor.detection.stories import StoryConfig
from monitor.detection.story_text import content_words
from monitor.pipeline.results import ScoreResult
from monitor.settings import ModelSettings, Settings
from monitor.storage.backlog import unscored_by_source
from monitor.storage.engine import transaction, with_retries
from monitor.storage.mentions import STORE_CHUNK
from monitor.storage.tables import Mention

SCORE_LIMIT = 2000
EMBED_LANGUAGES = frozenset({"en", "und"})  # the bundled encoder reads English (and emoji/links-only posts)
STORY_MIN_WORDS = StoryConfig().min_words  # fewer content words: the story index never reads the vector
K = TypeVar("K")
Vectors = Future[list[bytes | None]]  # packed sentence vectors of one encoder call, on the encoder's thread


def brand_terms(settings: Settings) -> dict[str, BrandTerms]:
    return {b.id: BrandTerms.of(b) for b in settings.brands}


def sentiment_router(settings: Settings, model: SentimentModel) -> SentimentRouter:
    """``model`` for ``model.sentiment_languages`` plus the per-language models the settings name; complaint
    keywords read the rest unless ``model.keyword_fallback`` is off."""
    m = settings.model
    return SentimentRouter(model, m.sentiment_languages, {
        code: load_sentiment_model(spec, threads=m.threads, batch_size=m.batch_size, max_length=m.max_length)
        for code, spec in m.sentiment_by_language.items()}, keywords=m.keyword_fallback)


def model_threads(m: ModelSettings) -> tuple[int, int]:
    """(sentiment, sentence encoder) intra-op threads: with both encoders on, they run side by side on their
    share of ``model.threads`` (one thread each on two cores: 5 % less CPU than taking turns on two threads)."""
    if not embedding_enabled(m.embedding, m.sentiment):
        return m.threads, 0
    return max(1, (m.threads + 1) // 2), max(1, m.threads // 2)


def story_embedder(settings: Settings) -> OnnxEmbedder | None:
    """The sentence encoder ``model.embedding`` names (None: stories join by words only)."""
    m = settings.model
    return load_embedder(m.embedding, sentiment=m.sentiment, threads=model_threads(m)[1] or m.threads,
                         batch_size=m.batch_size)


def score_pending(engine: Engine, settings: Settings, model: SentimentModel | SentimentRouter, *, now: datetime,
                  limit: int = SCORE_LIMIT) -> ScoreResult:
    """Score up to ``limit`` mentions that have no sentiment yet (each by its language's model, or "unscored"
    when no model covers it), with their language and complaint signals.

    Fair and bounded: every source gets its share of ``limit``, newest first (detection hears the present
    before a backlog); the model runs outside any transaction; results are written ``STORE_CHUNK`` at a time.
    English posts also get their sentence vector (``story_embedder``), computed once here, beside sentiment.
    """
    brands = brand_terms(settings)
    embedder = story_embedder(settings)
    router = model if isinstance(model, SentimentRouter) else sentiment_router(settings, model)
    with Session(engine, expire_on_commit=False) as session:
        # PostgreSQL: the rows stay claimed (FOR UPDATE SKIP LOCKED) until this session commits, so two scoring
        # workers never score the same mention and a killed worker's claim goes with its connection.  SQLite
        # (one writer anyway) reads them in a WAL snapshot that blocks nobody.
        pending = _pending_fairly(session, limit)
        values = _score_all(pending, router, embedder, brands, now, settings.model.embedding_for == "negative")
        if len(pending) > settings.model.batch_size:  # a catch-up batch: give its freed buffers back (monitor/heap)
            heap.trim()
        if session.get_bind().dialect.name == "postgresql":
            if values:
                session.execute(update(Mention), values)
            session.commit()
            return ScoreResult(scored=len(pending), limit=limit)
    for start in range(0, len(values), STORE_CHUNK):  # SQLite: short write transactions, other writers go on
        with_retries(partial(_save_scores, engine, values[start:start + STORE_CHUNK]))
    return ScoreResult(scored=len(pending), limit=limit)


def _score_all(pending: list[Mention], router: SentimentRouter, embedder: OnnxEmbedder | None,
               brands: dict[str, BrandTerms], now: datetime, negative_only: bool = False) -> list[dict[str, Any]]:
    """The model's results and signals as column values (no database work here).

    Each model gets all its texts in one call, so it sorts them by length before cutting batches: real posts
    vary (8 to 64 tokens), and batches cut in arrival order padded them to 58 tokens where sorted ones pad to
    27 (2.3x the CPU).  The sentence encoder runs on a second thread beside the sentiment model and the signals
    (onnxruntime lets go of the GIL); with ``negative_only`` (``model.embedding_for = "negative"``) only for
    the posts scored negative.
    """
    texts = [m.text for m in pending]
    languages = [detect_language(m.text, m.lang) for m in pending]
    with ThreadPoolExecutor(1, thread_name_prefix="embed") as beside:
        if negative_only:
            routed, vectors = _negatives_embedded(beside, router, embedder, texts, languages)
        else:
            vectors = [beside.submit(embed_texts, embedder, texts, languages)]
            routed = router.score(texts, languages)
        rows = [_scored(m, result, language, brands.get(m.brand_id), now)
                for m, language, result in zip(pending, languages, routed, strict=True)]
        for row, vector in zip(rows, [v for part in vectors for v in part.result()], strict=True):
            row["embedding"] = vector
    return rows


def _negatives_embedded(beside: ThreadPoolExecutor, router: SentimentRouter, embedder: OnnxEmbedder | None,
                        texts: list[str], languages: list[str]) -> tuple[list[Routed], list[Vectors]]:
    """``model.embedding_for = "negative"``: sentiment first, then vectors for the negative posts only.  In two
    halves, so the encoder works on the first half's negatives while the sentiment model reads the second."""
    routed: list[Routed] = []
    vectors: list[Vectors] = []
    half = len(texts) // 2
    for part in filter(None, (range(0, half), range(half, len(texts)))):
        scored = router.score([texts[i] for i in part], [languages[i] for i in part])
        routed += scored
        wanted = [languages[i] if result.label == "negative" else "" for i, result in zip(part, scored, strict=True)]
        vectors.append(beside.submit(embed_texts, embedder, [texts[i] for i in part], wanted))
    return routed, vectors


def embed_texts(embedder: OnnxEmbedder | None, texts: list[str], languages: list[str]) -> list[bytes | None]:
    """Packed sentence vectors (one call) of the texts in ``EMBED_LANGUAGES`` that are story material (the
    story index reads a vector only beside ``STORY_MIN_WORDS`` content words: 19 % of real customer tweets have
    fewer), None for the others."""
    out: list[bytes | None] = [None] * len(texts)
    if embedder is None:
        return out
    wanted = [i for i, language in enumerate(languages)
              if language in EMBED_LANGUAGES and len(content_words(texts[i])) >= STORY_MIN_WORDS]
    if not wanted:
        return out
    for i, blob in zip(wanted, pack(embedder.embed([texts[i] for i in wanted])), strict=True):
        out[i] = blob
    return out


def _pending_fairly(session: Session, limit: int) -> list[Mention]:
    """Unscored mentions, newest first, ``limit`` shared across sources: a burst on one never starves the rest."""
    rows: list[Mention] = []
    for (_, source_id), share in fair_shares(unscored_by_source(session), limit).items():
        if share:
            rows += session.exec(select(Mention).where(Mention.source_id == source_id, col(Mention.sentiment).is_(None))
                                 .order_by(col(Mention.posted_at).desc()).limit(share)
                                 .with_for_update(skip_locked=True)).all()
    return rows


def fair_shares(counts: dict[K, int], limit: int) -> dict[K, int]:
    """Split ``limit`` evenly; what a small backlog leaves over goes to the bigger ones (water-filling)."""
    shares: dict[K, int] = {}
    left = limit
    ordered = sorted(counts.items(), key=lambda item: item[1])
    for index, (key, count) in enumerate(ordered):
        shares[key] = min(count, left // (len(ordered) - index))
        left -= shares[key]
    return shares


def _save_scores(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with transaction(engine) as session:
        session.execute(update(Mention), rows)


def _scored(mention: Mention, result: Routed, language: str, brand: BrandTerms | None,
            now: datetime) -> dict[str, Any]:
    score, model = result.score, result.model
    signals = extract_signals(mention.text, brand, language=language).to_json()
    if result.reason:
        signals["sentiment_reason"] = result.reason
    return {"id": mention.id, "lang": language, "sentiment": result.label,
            "p_negative": score.p_negative if score else None, "p_neutral": score.p_neutral if score else None,
            "p_positive": score.p_positive if score else None,
            "sentiment_model": f"{model.name}@{model.version}" if model else None, "scored_at": now,
            "signals": signals}
