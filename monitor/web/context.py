"""What every handler shares: the app's state and page rendering (Jinja, autoescaped)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse

from monitor.clock import Clock
from monitor.settings import Settings
from monitor.web.accounts import Account
from monitor.web.guard import LoginLimiter, csrf_token


@dataclass
class WebState:
    """What the handlers share (on ``request.app.state.web``)."""

    engine: Engine
    settings: Settings
    allow_actions: bool
    clock: Clock
    templates: Environment
    limiter: LoginLimiter
    extra: dict[str, Any] = field(default_factory=dict)

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


def account(request: Request) -> Account:
    """The signed-in user (app.RequireLogin put it there before any view runs)."""
    found: Account = request.scope["account"]
    return found
