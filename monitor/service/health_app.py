"""/healthz, /readyz and /metrics as routes of the web workspace's ASGI app.

When `groundswell run` serves the workspace, ops probes and Prometheus use its address; the bodies are the
ones the standalone server (observability.py, used when the web is off) sends.  /metrics is
prometheus_client's own ASGI app over the service's registry.
"""

from __future__ import annotations

from prometheus_client import make_asgi_app
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from monitor.service.observability import Metrics, Readiness, health, ready

HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")


class _Mounted:
    """An ASGI app as a Route endpoint (Starlette wraps plain functions as request handlers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def health_routes(metrics: Metrics, readiness: Readiness) -> list[Route]:
    """The three paths, open without sign-in (they carry no mention text or names)."""
    def healthz(_request: Request) -> Response:
        status, body = health(readiness)
        return Response(body, status, media_type="application/json")

    def readyz(_request: Request) -> Response:  # sync: Starlette runs the database checks in its threadpool
        status, body = ready(readiness)
        return Response(body, status, media_type="application/json")

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", _Mounted(make_asgi_app(metrics.registry)), methods=["GET"])]
