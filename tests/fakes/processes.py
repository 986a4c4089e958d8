"""Run ``groundswell run`` as a real process and watch it from outside: ports, /readyz, waiting, stopping."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url

from tests.fakes.settings_files import service_settings_toml
from tests.fakes.tcp_proxy import TcpProxy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(tmp_path: Path, name: str, url: str, body: str = "") -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    config = tmp_path / f"{name}.toml"
    config.write_text(service_settings_toml(tmp_path / name, f'metrics_address = "127.0.0.1:{port}"',
                                            f'{body}\n[database]\nurl = "{url}"\n'))
    log = (tmp_path / f"{name}.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"], text=True,
                               stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"})
    return process, port


def readiness(port: int) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return dict(json.load(response))
    except urllib.error.HTTPError as exc:
        return dict(json.load(exc))
    except OSError:
        return {}


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def proxied_urls(postgres_url: str, schema: str, proxy: TcpProxy) -> tuple[str, str]:
    direct = f"{postgres_url}?options=-csearch_path%3D{schema}"
    via = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    return f"{via}?options=-csearch_path%3D{schema}", direct


def stop(process: subprocess.Popen[Any]) -> int | None:
    """SIGTERM, then SIGKILL after 30 s; the exit code (None if even SIGKILL did not end it in 10 s)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                return None
    return process.returncode


def http_ok(url: str) -> bool:
    """True when ``url`` answers 200 (False while the server is not up yet)."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
