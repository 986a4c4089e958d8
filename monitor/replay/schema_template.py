"""A replay's new SQLite database, copied from an empty migrated one kept beside the input.

Why: every replay starts from an empty database, and migrating one step by step (importing alembic, running
its environment and thirteen migrations) cost ~0.5 CPU-s of a week's cached replay (~13 CPU-s), and as much
again for each candidate of ``groundswell tune``. The file is migrated once per schema revision, named by it
(``.groundswell-schema-<head>.db``), and copied; the copy is at the newest revision, so ``open_database`` runs
no migration on it. A folder that cannot be written, or several heads, leave the migration to ``open_database``.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from monitor.storage.engine import schema_heads, upgrade

log = logging.getLogger("groundswell.backtest")


def template_path(folder: Path) -> Path | None:
    """Where the empty database of the newest schema revision is kept in ``folder`` (None: several heads)."""
    heads = schema_heads()
    if len(heads) != 1:
        return None
    return folder / f".groundswell-schema-{next(iter(heads))}.db"


def new_database(db_path: Path, folder: Path) -> bool:
    """Put an empty migrated database at ``db_path`` (which must not exist) from ``folder``'s template, made first
    if missing; False when there is none to be had (``open_database`` then migrates ``db_path`` itself)."""
    template = template_path(folder)
    if template is None:
        return False
    try:
        if not template.exists():
            scratch = template.with_name(f"{template.name}.{os.getpid()}.tmp")
            scratch.unlink(missing_ok=True)
            upgrade(f"sqlite:///{scratch.resolve()}")
            scratch.replace(template)  # whole or not at all: another replay may be reading it
        shutil.copyfile(template, db_path)
    except OSError as exc:
        log.warning("no schema template in %s (%s): the replay's database is migrated", folder, exc.strerror)
        db_path.unlink(missing_ok=True)
        return False
    return True
