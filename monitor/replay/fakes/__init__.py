"""Local stand-ins for X, Reddit, Slack and an SMTP server: real servers on 127.0.0.1.

They ship in the package for `groundswell try` (see monitor/replay/try_it.py); the tests use them too.
"""
