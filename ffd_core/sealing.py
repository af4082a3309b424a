"""Sealing what the store must hold but nobody reading it may use: the sign-in code, the
registration link or the password-reset link in a partner's account email while it waits
in the outbox for the worker.

AES-256-GCM (the ``cryptography`` package's AESGCM), under a key derived with HKDF-SHA256
from the ``mail-key`` secret (FFD_MAIL_KEY, else the OS keyring), which is kept outside the
database like the audit key. Every seal has a fresh random 96-bit nonce and is bound to the
row it travels in (its idempotency key and recipient, as associated data), so a sealed body
copied to another row or readdressed to someone else does not open. The key's fingerprint
rides along, so a worker holding another key says so instead of "it does not open".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_INFO = b"ffd mail seal v1"
FINGERPRINT_LABEL = b"ffd mail seal fingerprint v1"
NONCE_BYTES = 12


class SealBroken(Exception):
    """A seal that cannot be opened here; the message says why, never what it holds."""


class Sealer:
    """Seals and opens small JSON objects under one mail key."""

    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("a mail key cannot be empty")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(secret)
        self._aead = AESGCM(key)
        # Names the key without revealing it (an HMAC of a fixed label, like the audit key's).
        self.fingerprint = hmac.new(secret, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]

    def seal(self, content: dict[str, str], bound_to: str) -> dict[str, str]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, json.dumps(content).encode("utf-8"),
                                    bound_to.encode("utf-8"))
        return {"sealed": base64.b64encode(nonce + sealed).decode("ascii"),
                "key": self.fingerprint}

    def open(self, payload: dict[str, object], bound_to: str) -> dict[str, str]:
        sealed, key = payload.get("sealed"), payload.get("key")
        if not isinstance(sealed, str) or not sealed:
            raise SealBroken("it holds no sealed content")
        if key != self.fingerprint:
            raise SealBroken(f"it was sealed under another mail key (fingerprint {key}; this "
                             f"machine's is {self.fingerprint}): give the worker the same "
                             "mail-key as the web endpoint")
        try:
            blob = base64.b64decode(sealed, validate=True)
            opened = self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                        bound_to.encode("utf-8"))
            content = json.loads(opened)
        except (ValueError, InvalidTag):
            raise SealBroken("its seal does not open: it was altered, or moved to another "
                             "message or recipient") from None
        if not isinstance(content, dict):
            raise SealBroken("its sealed content is not a message")
        return content
