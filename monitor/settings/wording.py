"""Validation problems in plain words: the person editing settings.toml is often a marketer, not a programmer.

Pydantic says "String should match pattern '^[a-z0-9][a-z0-9_-]*$'" or "Input should be a valid integer"; this
says what to write instead.  Only numbers are echoed back (a string may be a pasted secret).
"""

from __future__ import annotations

import os
from typing import Any

# Field(pattern=...) in sections.py -> what to write
PATTERNS = {
    r"^[a-z0-9][a-z0-9_-]*$": "use lowercase letters, digits, '-' and '_' only, starting with a letter or digit "
    '(e.g. "acme-uk")',
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": "use letters, digits, '.', '-' and '_' only, starting with a letter or digit "
    '(e.g. "x-acme")',
    r"^[^:\s]+:\d{1,5}$": 'write HOST:PORT (e.g. "127.0.0.1:8080")',
    r"^([A-Za-z0-9-]{1,64})?$": 'write a header name (e.g. "X-Forwarded-User") or leave it empty',
    r"^$|^https?://[^\s/]+(/\S*)?$": 'write a web address starting with https:// (e.g. "https://gs.example.com") '
    "or leave it empty",
    r"^$|^\d\d:\d\d-\d\d:\d\d$": 'write HH:MM-HH:MM in 24-hour time (e.g. "22:00-07:00") or leave it empty',
}
KINDS = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false (no quotes)",
    "bool_type": "must be true or false (no quotes)",
    "string_type": 'must be text in double quotes ("like this")',
    "list_type": 'must be a list in square brackets (e.g. ["one", "two"])',
    "dict_type": "must be a table (a [section] or { key = value })",
    "missing": "missing: this key is required (see the commented settings.toml)",
}
BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def plain(error: Any) -> str | None:
    """One pydantic error (a dict from ``ValidationError.errors()``) in plain words, or None to keep pydantic's."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return PATTERNS.get(str(context.get("pattern")), "does not have the expected form (see settings.toml)")
    if kind in BOUNDS:
        name, words = BOUNDS[kind]
        return f"must be {words} {context.get(name)}{_got(error)}"
    if kind in KINDS:
        return KINDS[kind] + (_got(error) if kind != "missing" else "")
    if kind == "literal_error":
        return f"must be one of {context.get('expected')}"
    return None


def _got(error: Any) -> str:
    value = error.get("input")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return f" (it is {value})"


def from_environment(location: tuple[int | str, ...]) -> str:
    """Names the GROUNDSWELL_X__Y variable that gave the bad value, if one did: the file may look right."""
    if len(location) < 2 or not all(isinstance(part, str) for part in location[:2]):
        return ""
    wanted = "GROUNDSWELL_" + "__".join(str(part).upper() for part in location[:2])
    names = [name for name in os.environ if name.upper() == wanted]
    return f" (set by the environment variable {names[0]})" if names else ""


ENTRY_TABLES = ("brands", "sources", "channels")


def environment_problem(sections: list[str]) -> tuple[str, str] | None:
    """(variable, what to do) for a GROUNDSWELL_ variable that cannot work, or None.

    A misspelt section (GROUNDSWELL_DATABSE__URL) was silently ignored, so the database stayed the file's;
    GROUNDSWELL_BRANDS__0__TIMEZONE replaced every brand ("brands: must be a list"), GROUNDSWELL_APP=1 said
    "Input should be a valid dictionary or instance of AppSettings".
    """
    for name in sorted(os.environ):
        upper = name.upper()
        if not upper.startswith("GROUNDSWELL_"):
            continue
        section, nested, _key = upper.removeprefix("GROUNDSWELL_").partition("__")
        section = section.lower()
        if section in ENTRY_TABLES:
            return name, (f"[[{section}]] entries cannot be set from the environment: change them in the settings "
                          "file (a secret can be read from a variable there: token = { env = \"NAME\" })")
        if nested and section not in sections:
            known = ", ".join(part for part in sections if part not in ENTRY_TABLES)
            return name, f"no settings section {section!r} (sections: {known}): check the spelling or unset it"
        if not nested and section in sections:
            return name, f"set one key at a time, e.g. GROUNDSWELL_{section.upper()}__KEY=value"
    return None
