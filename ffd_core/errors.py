"""Errors a person can act on. Each message says what is wrong and what to do next."""

from __future__ import annotations


class FFDError(Exception):
    """Base for every error the product raises on purpose; front ends show ``str(error)``."""


class SchemaMismatch(FFDError):
    pass


class ConfigurationError(FFDError):
    pass


class NotFound(FFDError):
    pass


class PermissionDenied(FFDError):
    pass


class WrongCredentials(PermissionDenied):
    """The password (or the username with it) was not right: the caller may say which was typed."""


class AccountDisabled(PermissionDenied):
    """The acting account or its agency was disabled: the session ends at once."""


class IllegalTransition(FFDError):
    pass


class MissingInput(FFDError):
    pass


class InvalidInput(FFDError):
    pass


class StaleContact(FFDError):
    """Someone else changed the contact since the caller read it."""


class AlreadyClaimed(StaleContact):
    pass


class IdempotencyConflict(InvalidInput):
    """An idempotency key reused for different content."""


class NothingToTake(FFDError):
    pass


class AuditChainBroken(FFDError):
    pass
