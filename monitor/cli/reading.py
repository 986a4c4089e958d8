"""The database for commands that only read (`incidents list/show`, `sources`, `check`).

They open it without the start-up work of the service (``monitor.runtime``): no migration run when the
schema is current, no statistics refresh, no brands sync, and none of the plugin, pipeline or detection
modules imported.  A cold `incidents list` is then mostly Python, SQLAlchemy and pydantic starting
(tests/test_command_imports.py keeps it so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.settings import Settings


def read_engine(settings: Settings) -> Engine:
    """The configured database, migrated first only when it is not at the newest revision."""
    from monitor.storage.engine import open_for_reading

    return open_for_reading(settings.database_url(), busy_timeout=settings.database.busy_timeout_seconds)
