"""`groundswell tune --apply`: write a brand's two tuning keys into settings.toml, or refuse in one line.

The file is edited as text (its comments and layout stay), inside the ``[[brands]]`` table whose ``id`` is
the brand's. The edit is kept only if the new file parses to exactly the old document plus those two
keys; anything else (the brand written as an inline table, a key spelled another way) is refused and the
lines are printed for pasting instead. The old file is kept beside it as ``settings.toml.bak``.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

from monitor.errors import GroundswellError

KEYS = ("sensitivity", "story_min_people")
_TABLE = re.compile(r"^\s*\[")


def apply_tuning(path: Path, brand_id: str, values: dict[str, Any]) -> None:
    """Set ``values`` (sensitivity, story_min_people) in the brand's table of ``path``; raises with one line."""
    old_text = path.read_text(encoding="utf-8")
    lines = old_text.splitlines(keepends=True)
    start, end = _brand_block(lines, brand_id)
    block = [line for line in lines[start:end] if not re.match(rf"^\s*({'|'.join(KEYS)})\s*=", line)]
    content_end = max(n for n, line in enumerate(block) if line.strip() and not line.lstrip().startswith("#")) + 1
    if not block[content_end - 1].endswith("\n"):
        block[content_end - 1] += "\n"
    added = [f"{key} = {_toml(value)}\n" for key, value in values.items()]
    new_text = "".join(lines[:start] + block[:content_end] + added + block[content_end:] + lines[end:])
    _check_same_but_tuned(old_text, new_text, brand_id, values)
    shutil.copy2(path, path.with_name(path.name + ".bak"))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(path)


def _brand_block(lines: list[str], brand_id: str) -> tuple[int, int]:
    """[start, end) line numbers of the ``[[brands]]`` table with this id."""
    starts = [n for n, line in enumerate(lines) if line.strip() == "[[brands]]"]
    for start in starts:
        end = next((n for n in range(start + 1, len(lines)) if _TABLE.match(lines[n])), len(lines))
        if any(re.match(rf"^\s*id\s*=\s*[\"']{re.escape(brand_id)}[\"']\s*(#.*)?$", line)
               for line in lines[start:end]):
            return start, end
    raise GroundswellError(f"cannot find a [[brands]] table with id = \"{brand_id}\" in the settings file; "
                           "paste the lines yourself")


def _check_same_but_tuned(old_text: str, new_text: str, brand_id: str, values: dict[str, Any]) -> None:
    old = tomllib.loads(old_text)
    try:
        new: dict[str, Any] | None = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        new = None
    for brand in old.get("brands", []):
        if brand.get("id") == brand_id:
            brand.update(values)
    if old != new:
        raise GroundswellError("the settings file is written in a way --apply cannot edit safely; "
                               "paste the lines yourself")


def _toml(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)
