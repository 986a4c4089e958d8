"""The X connector's HTTP plumbing: tweepy's fixed host made configurable, and the bearer token kept out of logs."""

from __future__ import annotations

import logging
import re
from typing import Any

import requests

X_HOST = "https://api.twitter.com"


class RedactBearer(logging.Filter):
    """tweepy logs request headers at debug level; never let the bearer token reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Bearer " in message:  # only the token's characters (RFC 6750 b64token): the quote after it stays
            record.msg, record.args = re.sub(r"Bearer [A-Za-z0-9._~+/%-]+=*", "Bearer ***", message), ()
        return True


class HostSession(requests.Session):
    """A requests session with a default timeout that can point tweepy's fixed host elsewhere."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        method, url = str(method), str(url)
        if url.startswith(X_HOST):
            url = self.base_url + url[len(X_HOST):]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)
