"""The command line as typed, before click reads it: shared by the entry point and its error lines."""

from __future__ import annotations

_CONFIG_FLAGS = ("--config", "-c")


def hoist_config(args: list[str]) -> list[str]:
    """Move --config/-c PATH (or --config=PATH) to the front, so it works after the command too."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        if arg in _CONFIG_FLAGS and index + 1 < len(args):
            front.extend(args[index:index + 2])
            index += 2
            continue
        if arg.startswith("--config="):
            front.append(arg)
        else:
            rest.append(arg)
        index += 1
    return front + rest
