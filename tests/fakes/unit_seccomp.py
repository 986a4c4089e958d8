"""Run a command under the seccomp filter a systemd unit's ``SystemCallFilter=`` lines would install.

    python -m tests.fakes.unit_seccomp deploy/groundswell.service -- python -m monitor run

systemd is not PID 1 in CI, so this does what systemd would: expand the ``@groups`` (from
``systemd-analyze syscall-filter``, or the snapshot beside this file taken from systemd 252), build
the allow list in order (the first line sets allow or deny mode, ``~`` lines remove), then load it
with libseccomp (pyseccomp) and exec the command.  A call outside the list kills the process with
SIGSYS, as under systemd, unless the unit sets ``SystemCallErrorNumber=``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("systemd_syscall_groups.json")


def syscall_groups() -> dict[str, list[str]]:
    """Every ``@group`` and its members (other groups included), as this machine's systemd knows them."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return dict(json.loads(SNAPSHOT.read_text()))
    listing = subprocess.run([analyze, "syscall-filter"], capture_output=True, text=True, check=True).stdout
    groups: dict[str, list[str]] = {}
    current: list[str] = []
    for line in listing.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.split()[0], [])
        elif line.strip() and not line.strip().startswith("#") and line.startswith("    "):
            current.append(line.strip())
    return groups


def expand(names: list[str], groups: dict[str, list[str]]) -> set[str]:
    calls: set[str] = set()
    for name in names:
        if name.startswith("@"):
            calls |= expand(groups[name], groups)
        else:
            calls.add(name.split(":", 1)[0])  # "name:errno" entries
    return calls


def unit_filter(unit: str, groups: dict[str, list[str]]) -> tuple[set[str], bool, int | None]:
    """(the syscalls named, True if that is an allow list, the errno blocked calls get or None: SIGSYS)."""
    named: set[str] = set()
    allow: bool | None = None
    error: int | None = None
    for line in unit.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "SystemCallErrorNumber":
            error = getattr(errno, value.strip())
        if key.strip() != "SystemCallFilter":
            continue
        value = value.strip()
        deny = value.startswith("~")
        calls = expand(value.removeprefix("~").split(), groups)
        if allow is None:
            allow = not deny
        named = (named - calls) if deny == allow else (named | calls)
    return named, bool(allow), error


def main(argv: list[str]) -> None:
    import pyseccomp as seccomp

    unit_path, _, command = argv[0], argv[1], argv[2:]
    named, allow, error = unit_filter(Path(unit_path).read_text(), syscall_groups())
    blocked = seccomp.ERRNO(error) if error is not None else seccomp.KILL_PROCESS
    flt = seccomp.SyscallFilter(blocked if allow else seccomp.ALLOW)
    for call in sorted(named):
        with contextlib.suppress(ValueError, RuntimeError, OSError):  # a call this architecture does not have
            flt.add_rule(seccomp.ALLOW if allow else blocked, call)
    flt.load()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
