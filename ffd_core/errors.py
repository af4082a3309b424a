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


class RateLimited(PermissionDenied):
    """Too many of something in a window (look-ups, emails): wait. The web answers 429."""


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


class ReferrerEmailRefused(InvalidInput):
    """A partner gave a referrer email that is not theirs to give (the access policy's
    ``referrer_email_refusal``); forms name the email question, so the person can fix it."""


class NothingToTake(FFDError):
    pass


class AuditChainBroken(FFDError):
    pass
