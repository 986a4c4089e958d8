"""Moved to monitor.replay.fakes.slack_api (it ships for `groundswell try`)."""

from monitor.replay.fakes.slack_api import FakeSlack

__all__ = ["FakeSlack"]
