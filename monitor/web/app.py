"""The ASGI app: sessions, security headers, sign-in, and the routes of views.py.

Security: every page but /login needs a signed-in user; every POST carries the session's CSRF token;
session cookies are HttpOnly, SameSite=Lax and Secure over TLS; failed sign-ins are rate limited;
Jinja autoescapes everything (mention text included) and the CSP forbids inline scripts.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from monitor.clock import Clock, system_clock
from monitor.settings import Settings
from monitor.web import accounts, digests, email_links, views
from monitor.web.context import WebState, render, state
from monitor.web.guard import LoginLimiter, csrf_ok
from monitor.web.proxy import proxy_user

HERE = Path(__file__).parent
log = logging.getLogger("groundswell.web")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def login_page(request: Request) -> Response:
    return render(request, "login.html", next=_safe_next(request.query_params.get("next", "")))


async def login(request: Request) -> Response:
    web = state(request)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return render(request, "login.html", 403, error="The form expired; please sign in again.")
    name, password = str(form.get("name", ""))[:64], str(form.get("password", ""))[:1024]
    client = request.client.host if request.client else "?"
    keys = (f"ip:{client}", f"user:{name.lower()}")
    if web.limiter.blocked(*keys):
        return render(request, "login.html", 429, error="Too many failed sign-ins; wait 15 minutes.")
    found = await _run(accounts.authenticate, web.engine, name, password)
    if found is None:
        web.limiter.failed(*keys)
        return render(request, "login.html", 401, error="Wrong name or password.", name=name)
    web.limiter.succeeded(*keys)
    request.session.clear()  # a fresh session (and CSRF token) on sign-in: no session fixation
    request.session["uid"] = found.id
    return RedirectResponse(_safe_next(str(form.get("next", ""))) or "/incidents", status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    if csrf_ok(request.session, form.get("csrf")):
        request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _safe_next(target: str) -> str:
    """Only paths on this site (no //host or scheme), so the sign-in cannot redirect elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""


async def _run(function: Callable[..., Any], *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


class RequireLogin(BaseHTTPMiddleware):
    """Every path but /login, /static and /a/ (signed email links) needs a signed-in, enabled user (re-read per
    request), or a user named by a trusted reverse proxy (proxy.py).

    POST handlers check the CSRF token themselves (views.checked_form): a form read here would be gone there.
    """

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if (path in ("/login", "/favicon.ico") or path in request.app.state.open_paths
                or path.startswith(("/static/", "/a/"))):  # /a/: signed email links
            return await call_next(request)
        web = state(request)
        vouched = proxy_user(request, web.settings.web)
        if vouched is not None:
            found = await _run(accounts.account_named, web.engine, vouched)
            if found is None:
                log.warning("the trusted proxy named %r, who is not an enabled user; refused", vouched)
                return render(request, "error.html", 403, message=f"{vouched!r} is not a Groundswell user (or is "
                              "disabled); an admin can add it with `groundswell users add`.")
            request.scope["account"] = found
            return await call_next(request)
        uid = request.session.get("uid")
        found = await _run(accounts.account, web.engine, uid) if isinstance(uid, int) else None
        if found is None:
            request.session.pop("uid", None)
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
        request.scope["account"] = found
        return await call_next(request)


def create_app(settings: Settings, engine: Engine, *, allow_actions: bool, clock: Clock = system_clock,
               secret_key: str | None = None, open_routes: Sequence[Route] = ()) -> Starlette:
    """The workspace over one database; ``allow_actions=False`` is the read-only analyst box.

    ``open_routes`` are served without sign-in (the service's /healthz, /readyz and /metrics).
    """
    web = settings.web
    key = secret_key or (web.secret_key.get_secret_value() if web.secret_key else secrets.token_urlsafe(32))
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    templates.filters.update(views.FILTERS)
    secure = web.secure_cookies or bool(web.tls_certfile)
    app = Starlette(routes=[
        *open_routes, Route("/login", login_page, methods=["GET"]), Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]), *views.ROUTES, *digests.ROUTES, *email_links.ROUTES,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ], middleware=[
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=key, session_cookie="groundswell_session",
                   max_age=web.session_hours * 3600, same_site="lax", https_only=secure),
        Middleware(RequireLogin),
    ])
    app.state.open_paths = frozenset(route.path for route in open_routes)
    app.state.web = WebState(engine, settings, allow_actions, clock, templates, LoginLimiter(web.login_attempts))
    return app
