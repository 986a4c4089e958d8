"""What every handler shares: the app's state and page rendering (Jinja, autoescaped)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from jinja2 import Environment
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse

from monitor.clock import Clock
from monitor.settings import Settings
from monitor.web.accounts import Account
from monitor.web.guard import LoginLimiter, csrf_token

T = TypeVar("T")


@dataclass
class WebState:
    """What the handlers share (on ``request.app.state.web``)."""

    engine: Engine
    settings: Settings
    allow_actions: bool
    clock: Clock
    templates: Environment
    limiter: LoginLimiter
    cache: TtlCache = field(default_factory=lambda: TtlCache(600.0))

    def now(self) -> datetime:
        return self.clock()


def state(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    web = state(request)
    user = context.pop("user", None) or request.scope.get("account")
    html = web.templates.get_template(template).render(
        request=request, user=user, csrf=csrf_token(request.session), allow_actions=web.allow_actions,
        new_request_id=lambda: secrets.token_urlsafe(16), path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


class TtlCache:
    """A few slow aggregates, kept for ``seconds`` (bounded: the oldest entries go first)."""

    def __init__(self, seconds: float, size: int = 64) -> None:
        self.seconds, self.size = seconds, size
        self._items: dict[tuple[str, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.seconds:
            value: T = hit[1]
            return value
        result = compute()
        with self._lock:
            self._items[key] = (time.monotonic(), result)
            while len(self._items) > self.size:
                self._items.pop(next(iter(self._items)))
        return result


def account(request: Request) -> Account:
    """The signed-in user (app.RequireLogin put it there before any view runs)."""
    found: Account = request.scope["account"]
    return found
