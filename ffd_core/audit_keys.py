"""Where audit keys live, and rotating to a new one.

The current key is the ``audit-key`` secret (FFD_AUDIT_KEY, else the OS keyring). Earlier
keys are needed only to verify the segments they signed; verification finds them by
fingerprint in FFD_AUDIT_OLD_KEYS (whitespace-separated, for servers that take secrets
from the environment) or in the keyring as ``audit-key@<fingerprint>`` (rotation keeps
both keys there when it can).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from ffd_core import audit
from ffd_core.errors import ConfigurationError, InvalidInput
from ffd_core.secrets import SECRETS, get_secret, set_secret

OLD_KEYS_ENV = "FFD_AUDIT_OLD_KEYS"
MIN_KEY_LENGTH = 32  # any event's HMAC lets someone test guesses offline: keys must be random


def archive_name(fp: str) -> str:
    return f"audit-key@{audit.short(fp)}"


def verification_keys(current: bytes) -> audit.AuditKeys:
    earlier = [k.encode("utf-8") for k in os.environ.get(OLD_KEYS_ENV, "").split()]

    def from_keyring(fp: str) -> bytes | None:
        value = get_secret(archive_name(fp))
        return value.encode("utf-8") if value else None

    return audit.AuditKeys(current, earlier, from_keyring)


def new_key() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Rotation:
    boundary_seq: int
    old_fingerprint: str
    new_fingerprint: str
    kept_in_keyring: bool  # both keys are in the keyring, the new one as audit-key
    from_environment: bool  # the administrator must now change FFD_AUDIT_KEY


def rotate(ctx, actor, given_key: str | None = None) -> Rotation:  # noqa: ANN001 - services Context, Actor
    """Write the boundary event under the current key and make ``given_key`` (or a new random
    key) the store's key. Both keys are put where verification finds them before the store
    starts asking for the new one, so no moment exists when it needs a key kept nowhere."""
    from_env = bool(os.environ.get(SECRETS["audit-key"]))
    if given_key is None:
        if from_env:
            raise ConfigurationError(
                "FFD_AUDIT_KEY is set, so a new key kept in the keyring would not be used: make "
                "a random key, keep it where FFD_AUDIT_KEY comes from, and give it with "
                "`ffd audit rotate-key --new-key-stdin`")
        given_key = new_key()
    given_key = given_key.strip()
    if len(given_key) < MIN_KEY_LENGTH:
        raise InvalidInput(f"an audit key needs at least {MIN_KEY_LENGTH} random characters, "
                           "e.g. from `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    old, new = ctx.audit_key, given_key.encode("utf-8")
    kept = _keep(old) and _keep(new)
    if not kept and not from_env:
        raise ConfigurationError("no usable OS keyring to keep the new audit key in; set "
                                 "FFD_AUDIT_KEY and use `ffd audit rotate-key --new-key-stdin`")
    with ctx.write() as session:
        event = audit.rotate_key(session, old, new, at=ctx.now(), actor_id=actor.user_id,
                                 actor_name=actor.name)
    if not from_env:
        set_secret("audit-key", given_key)
    return Rotation(event.seq, audit.fingerprint(old), audit.fingerprint(new), kept, from_env)


def _keep(key: bytes) -> bool:
    try:
        set_secret(archive_name(audit.fingerprint(key)), key.decode("utf-8"))
    except ConfigurationError:
        return False
    return True
