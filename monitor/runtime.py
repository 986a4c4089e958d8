"""Build the running parts from settings once: database, model, connectors, notifiers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.engine import Engine
from sqlmodel import Session

from alerts.base import Notifier
from connectors.base import Connector
from models.base import SentimentModel
from monitor import registry
from monitor.clock import Clock, system_clock
from monitor.settings import Settings
from monitor.storage.engine import open_database, with_retries
from monitor.storage.tables import Brand

log = logging.getLogger("groundswell")


def load_model(settings: Settings) -> SentimentModel:
    spec = settings.model.sentiment
    if spec == "lexicon":
        from models.lexicon import LexiconSentiment

        return LexiconSentiment()
    from models.loader import load_sentiment_model

    return load_sentiment_model(spec, threads=settings.model.threads, batch_size=settings.model.batch_size,
                                max_length=settings.model.max_length)


@dataclass
class Runtime:
    settings: Settings
    clock: Clock = system_clock
    _connectors: dict[str, Connector] = field(default_factory=dict)

    @cached_property
    def engine(self) -> Engine:
        engine = open_database(self.settings.database_url(), busy_timeout=self.settings.database.busy_timeout_seconds)
        with_retries(lambda: sync_brands(engine, self.settings))
        return engine

    @cached_property
    def model(self) -> SentimentModel:
        return load_model(self.settings)

    @cached_property
    def notifiers(self) -> dict[str, Notifier]:
        return registry.build_notifiers(self.settings)

    def connector(self, source_id: str) -> Connector:
        if source_id not in self._connectors:
            self._connectors[source_id] = registry.build_connector(self.settings, source_id, self.clock)
        return self._connectors[source_id]


def sync_brands(engine: Engine, settings: Settings) -> None:
    with Session(engine) as session:
        for brand in settings.brands:
            session.merge(Brand(id=brand.id, name=brand.name, timezone=brand.timezone))
        session.commit()
