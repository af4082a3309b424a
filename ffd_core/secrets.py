"""Secrets come from the environment (headless servers, CI) or the OS keyring, never from a
config file or the repository."""

from __future__ import annotations

import os

from ffd_core.errors import ConfigurationError

KEYRING_SERVICE = "family-front-door"

# name -> environment variable
SECRETS = {
    "audit-key": "FFD_AUDIT_KEY",
    # Seals the code or link in account emails while they wait in the outbox (sealing.py).
    "mail-key": "FFD_MAIL_KEY",
    "database-password": "FFD_DATABASE_PASSWORD",
    "smtp-password": "FFD_SMTP_PASSWORD",
    "sync-token": "FFD_SYNC_TOKEN",
    "case-system-token": "FFD_CASE_SYSTEM_TOKEN",
}


def get_secret(name: str) -> str | None:
    env = SECRETS.get(name)
    if env and os.environ.get(env):
        return os.environ[env]
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, name)
        except KeyringError:
            return None
    except ImportError:  # pragma: no cover - keyring is a hard dependency
        return None


def set_secret(name: str, value: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, name, value)
    except KeyringError as error:
        env = SECRETS.get(name, "the matching FFD_ variable")
        raise ConfigurationError(
            f"no usable OS keyring here ({error}); set {env} in the environment instead"
        ) from error


def require_secret(name: str) -> str:
    value = get_secret(name)
    if not value:
        env = SECRETS.get(name, "")
        raise ConfigurationError(
            f"the {name} is not set: run `ffd secret set {name}` to keep it in the OS keyring, "
            f"or set {env} in the environment"
        )
    return value
