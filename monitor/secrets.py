"""Secrets by reference: ``token = { env = "SLACK_BOT_TOKEN" }`` in settings.toml, held as SecretStr."""

from __future__ import annotations

import os
from typing import Annotated, Any

from pydantic import BeforeValidator, SecretStr


class MissingSecret(ValueError):
    """A referenced environment variable is unset; settings adds "or remove this key" for optional keys."""

    def __init__(self, name: str) -> None:
        super().__init__(f"environment variable {name} is not set (export it)")
        self.name = name


def resolve_secret(value: Any) -> Any:
    """Accept ``{env = NAME}`` (or ``{file = PATH}``, for systemd credentials); refuse literal secrets."""
    if isinstance(value, SecretStr):
        return value
    if isinstance(value, dict) and set(value) == {"env"}:
        name = str(value["env"])
        if name not in os.environ:
            raise MissingSecret(name)
        return SecretStr(os.environ[name])
    if isinstance(value, dict) and set(value) == {"file"}:
        path = os.path.expandvars(str(value["file"]))
        try:
            with open(path, encoding="utf-8") as handle:
                return SecretStr(handle.read().strip())
        except OSError as exc:
            raise ValueError(f"cannot read secret file {path}: {exc.strerror}") from None
    raise ValueError('secrets are given by reference: { env = "NAME" } or { file = "PATH" }')


Secret = Annotated[SecretStr, BeforeValidator(resolve_secret)]


def unset_if_empty(value: SecretStr | None) -> SecretStr | None:
    """An optional secret whose file is empty is not set (systemd ``SetCredential=ID:`` is the fallback
    for an optional credential, and compose needs the file to exist)."""
    return None if value is not None and not value.get_secret_value() else value
