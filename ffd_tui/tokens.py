"""The "remember me" token, kept in the OS keyring (never in a file of ours).

On a desktop this is the system keyring; on a headless machine the bundled keyrings.alt
file backend (``PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring``); tests pass an
in-memory store instead.
"""

from __future__ import annotations

from ffd_core.secrets import KEYRING_SERVICE

ENTRY = "console-remember-token"


class TokenStore:
    def get(self) -> str | None:
        try:
            import keyring

            return keyring.get_password(KEYRING_SERVICE, ENTRY)
        except Exception:  # noqa: BLE001 - no usable keyring: nothing remembered
            return None

    def set(self, token: str) -> bool:
        try:
            import keyring

            keyring.set_password(KEYRING_SERVICE, ENTRY, token)
            return True
        except Exception:  # noqa: BLE001
            return False

    def delete(self) -> None:
        try:
            import keyring

            keyring.delete_password(KEYRING_SERVICE, ENTRY)
        except Exception:  # noqa: BLE001, S110 - nothing stored, or no keyring: nothing to forget
            pass


class MemoryTokens(TokenStore):
    """For tests and demos that must not touch the OS keyring."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token

    def get(self) -> str | None:
        return self.token

    def set(self, token: str) -> bool:
        self.token = token
        return True

    def delete(self) -> None:
        self.token = None
