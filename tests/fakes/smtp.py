"""Moved to monitor.replay.fakes.smtp (it ships for `groundswell try`)."""

from monitor.replay.fakes.smtp import FakeSMTP, free_port, self_signed_cert

__all__ = ["FakeSMTP", "free_port", "self_signed_cert"]
