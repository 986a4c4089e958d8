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


class EmptySecret(ValueError):
    """A referenced environment variable (or secret file) holds nothing: the key it fills is required, and an empty
    token would only fail later, at the server, as a bad credential.  Keys where empty means "off" are typed
    :data:`OptionalSecret`."""


def resolve_secret(value: Any) -> Any:
    """Accept ``{env = NAME}`` (or ``{file = PATH}``, for systemd credentials); refuse literal secrets."""
    if isinstance(value, SecretStr):
        return value
    if isinstance(value, dict) and set(value) == {"env"}:
        name = str(value["env"])
        if name not in os.environ:
            raise MissingSecret(name)
        if not os.environ[name].strip():
            raise EmptySecret(f"environment variable {name} is set but empty (export it with its value)")
        return SecretStr(os.environ[name])
    if isinstance(value, dict) and set(value) == {"file"}:
        path = os.path.expandvars(str(value["file"]))
        try:
            with open(path, encoding="utf-8") as handle:
                secret = handle.read().strip()
        except OSError as exc:
            raise ValueError(f"cannot read secret file {path}: {exc.strerror}") from None
        if not secret:
            raise EmptySecret(f"secret file {path} is empty (write the secret into it)")
        return SecretStr(secret)
    raise ValueError('secrets are given by reference: { env = "NAME" } or { file = "PATH" }')


def resolve_optional_secret(value: Any) -> Any:
    """As :func:`resolve_secret`, but nothing (no value, "" or an empty variable or file) means "not set"."""
    if value is None or value == "":
        return None
    try:
        return resolve_secret(value)
    except EmptySecret:
        return None


Secret = Annotated[SecretStr, BeforeValidator(resolve_secret)]
# For keys where empty means "off" (systemd ``SetCredential=ID:`` is the fallback for an optional credential, and
# compose needs the file to exist): an empty variable or file leaves the key unset.  A plain ``Secret | None``
# refuses an empty one, like a required key, since an empty token only fails later as a bad credential.
OptionalSecret = Annotated[SecretStr | None, BeforeValidator(resolve_optional_secret)]

