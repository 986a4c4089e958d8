"""A backtest file with a ``brand`` column, split into one replay file per brand.

A row with an empty brand goes to the file's brand when the file names only one (a value left out); when it
names several, the row belongs to none of them and is skipped, said once with its line numbers.  Lines that are
not rows at all stay with a brand's rows, so the replay connector reports them as it does any bad row.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("groundswell.backtest")


def split_by_brand(mentions: Path, work_dir: Path) -> dict[str, Path]:
    """One replay file per value of the input's ``brand`` column; {} when no row names a brand."""
    if mentions.suffix.lower() == ".csv":
        return _split_csv(mentions, work_dir)
    lines: dict[str, list[str]] = {}
    blank, bad = [], []
    for number, line_text in enumerate(mentions.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        try:
            record = json.loads(line_text) if line_text.strip() else None
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            bad.append(line_text)  # not a row: the replay connector reports it with its line number
            continue
        brand = str(record.get("brand") or "").strip()
        lines.setdefault(brand, []).append(line_text)
        if not brand:
            blank.append(number)
    lines = _place_unbranded(lines, blank, mentions.name)
    if lines and any(line_text.strip() for line_text in bad):
        lines[min(lines)].extend(bad)  # reported there (alone, as a brand of their own, they stopped the replay)
    out = {}
    for brand, group in lines.items():
        path = out[brand] = work_dir / f"{brand_id(brand)}.jsonl"
        path.write_text("\n".join(group) + "\n", encoding="utf-8")
    return out


def _split_csv(mentions: Path, work_dir: Path) -> dict[str, Path]:
    with mentions.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.DictReader(handle)
        if "brand" not in (reader.fieldnames or []):
            return {}
        groups: dict[str, list[dict[str, Any]]] = {}
        blank: list[int] = []
        line = reader.line_num + 1
        for row in reader:
            brand = str(row.get("brand") or "").strip()
            groups.setdefault(brand, []).append(row)
            if not brand:
                blank.append(line)
            line = reader.line_num + 1  # a quoted field may span lines
    out = {}
    for brand, rows in _place_unbranded(groups, blank, mentions.name).items():
        path = out[brand] = work_dir / f"{brand_id(brand)}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(reader.fieldnames or []))
            writer.writeheader()
            writer.writerows(rows)
    return out


def _place_unbranded(groups: dict[str, list[Any]], blank: list[int], name: str) -> dict[str, list[Any]]:
    """``groups`` by brand ("" for rows without one, ``blank`` their line numbers): {} when no row names a brand;
    else the unbranded rows join the only brand, or are left out (and said) when there are several."""
    rest = groups.pop("", [])
    if not groups:
        return {}
    if blank:
        rows = f"{len(blank)} row{'s' if len(blank) > 1 else ''} of {name} without a brand (line"
        rows += f"{'s' if len(blank) > 1 else ''} {', '.join(str(n) for n in blank[:10])}"
        rows += f" and {len(blank) - 10} more)" if len(blank) > 10 else ")"
        if len(groups) == 1:
            log.warning("%s: replayed as %s, the file's only brand", rows, next(iter(groups)))
        else:
            log.warning("skipped: %s: the file names %d brands, so give each row its brand", rows, len(groups))
    if len(groups) == 1:
        next(iter(groups.values())).extend(rest)  # a replay reads rows in time order, wherever they stand
    return groups


def brand_id(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    return slug[:40] or "brand"
