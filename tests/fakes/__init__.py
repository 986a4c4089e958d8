"""Local fake APIs for tests. The shared base and the X, Reddit, Slack and SMTP fakes live in
monitor/replay/fakes (they ship for `groundswell try`); the rest are test-only and live here."""

from monitor.replay.fakes.base import FakeAPI, Reply, Request, compile_query, text_term

__all__ = ["FakeAPI", "Reply", "Request", "compile_query", "text_term"]
