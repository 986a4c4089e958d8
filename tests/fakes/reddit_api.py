"""Moved to monitor.replay.fakes.reddit_api (it ships for `groundswell try`)."""

from monitor.replay.fakes.reddit_api import FakeReddit

__all__ = ["FakeReddit"]
