"""A mistyped command line as one line: what is wrong, for which command, and where its --help is.

click's own report is four lines ("Usage: ...", "Try ... for help.", a blank line, "Error: No such option
'--foo'."): the problem comes last, after a usage line a newcomer has to read past.
"""

from __future__ import annotations

import click

PROGRAM = "groundswell"


def usage_line(exc: click.UsageError, root: click.Command) -> str:
    """``error: no such option --foo for "groundswell score" (see groundswell score --help)``."""
    from alerts.escape import terminal

    path = exc.ctx.command_path if exc.ctx is not None else typed_command(root)
    where = f'for "{path}"'
    missing_command = getattr(click.exceptions, "NoSuchCommand", ())  # click >= 8.4
    if isinstance(exc, click.NoSuchOption):
        hint = _did_you_mean(exc.possibilities) or _its_options(exc.ctx)
        text = f"no such option {exc.option_name} {where}{hint}"
    elif missing_command and isinstance(exc, missing_command):
        text = f'no such command "{exc.command_name}" {where}{_did_you_mean(exc.possibilities)}'
    elif isinstance(exc, click.MissingParameter):  # "Missing option '-o' / '--output'. Choose from: ..."
        head, _, rest = exc.format_message().rstrip(".").partition(". ")
        text = f"{_lower(head.replace(chr(39), ''))} {where}" + (f": {_lower(rest)}" if rest else "")
    else:
        text = _lower(exc.format_message())
    return f"error: {terminal(text.rstrip('.'), 600)} (see {path} --help)"


def typed_command(root: click.Command) -> str:
    """The command named on the command line, for the errors click raises without one ("option '--model' requires
    an argument")."""
    import sys

    from monitor.cli.argv import hoist_config

    words, after = [PROGRAM], ""
    command = root
    for arg in hoist_config(sys.argv[1:])[:20]:
        arg, after = ("-", "") if after in ("-c", "--config") else (arg, arg)  # skip the settings file's name
        if arg.startswith("-") or not isinstance(command, click.Group):
            continue
        found = command.commands.get(arg)
        if found is None:
            break
        words.append(arg)
        command = found
    return " ".join(words)


def _its_options(ctx: click.Context | None) -> str:
    """The options there are, when none is close to the one typed (--port for `web`, whose is --address)."""
    if ctx is None:
        return ""
    names = [max(p.opts, key=len) for p in ctx.command.get_params(ctx)
             if isinstance(p, click.Option) and not p.hidden and "--help" not in p.opts]
    if not names:
        return f": {ctx.command_path} takes no options"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f" (its options: {shown})"


def _did_you_mean(possibilities: list[str] | None) -> str:
    if not possibilities:
        return ""
    return f": did you mean {' or '.join(sorted(possibilities))}?"


def _lower(text: str) -> str:
    """"Invalid value ..." -> "invalid value ..."; "INPUT is ..." stays as it is."""
    text = text.strip()
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
