"""Serving the workspace with uvicorn: in the foreground (`groundswell web`) or in a thread (`run`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

import uvicorn
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.routing import Route

from monitor.errors import ConfigError
from monitor.settings import Settings
from monitor.web.app import create_app

log = logging.getLogger("groundswell.web")


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if host and port.isdigit() and not 0 < int(port) < 65536:  # "is not host:port" when it was one, mistyped
        raise ConfigError("web.address", f"port {int(port)} in {address!r} is out of range: ports go from 1 to 65535")
    if not host or not port.isdigit():
        raise ConfigError("web.address", f"{address!r} is not host:port (e.g. 127.0.0.1:8080)")
    return host, int(port)


def make_server(settings: Settings, engine: Engine, *, allow_actions: bool) -> uvicorn.Server:
    return _server(settings, create_app(settings, engine, allow_actions=allow_actions))


def _server(settings: Settings, app: Starlette) -> uvicorn.Server:
    host, port = split_address(settings.web.address)
    web = settings.web
    config = uvicorn.Config(app, host=host, port=port,
                            log_level="warning", access_log=False, lifespan="off", server_header=False,
                            ssl_certfile=web.tls_certfile or None, ssl_keyfile=web.tls_keyfile or None,
                            proxy_headers=False)
    if web.secret_key is None:
        log.warning("web.secret_key is not set: sessions end when Groundswell restarts")
    return uvicorn.Server(config)


class WebThread:
    """The workspace beside the scheduler in `groundswell run`; stop() lets requests in flight finish."""

    def __init__(self, settings: Settings, engine: Engine, *, open_routes: Sequence[Route] = ()) -> None:
        self.app = create_app(settings, engine, allow_actions=settings.web.allow_actions, open_routes=open_routes)
        self.server = _server(settings, self.app)
        self.thread = threading.Thread(target=self.server.run, name="groundswell-web", daemon=True)

    def start(self, timeout: float = 10.0) -> WebThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not self.server.started:
            raise ConfigError("web.address", f"the web workspace could not listen on {self.server.config.host}:"
                              f"{self.server.config.port} (in use, or not an address of this machine?)")
        log.info("web workspace on http%s://%s:%d", "s" if self.server.config.ssl_certfile else "",
                 self.server.config.host, self.server.config.port)
        return self

    def use_settings(self, settings: Settings) -> None:
        self.app.state.web.settings = settings

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
