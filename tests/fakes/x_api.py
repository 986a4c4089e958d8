"""Moved to monitor.replay.fakes.x_api (it ships for `groundswell try`)."""

from monitor.replay.fakes.x_api import FakeX

__all__ = ["FakeX"]
