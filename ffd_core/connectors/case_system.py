"""The case-system connector: the outbox worker's sender for ``case_system_push`` rows.

Each row is one decided child. The request is built when it is sent (services.pushes) and
POSTed over the one outbound HTTP client (HTTPS except to this machine, timeouts, a few
quick retries, all under one Idempotency-Key per child, period and round: a repeat makes
nothing new). How a failure is handled:

- the case system cannot be reached, does not answer in time, or is overloaded (502/503/
  504/429): ``peer_down``: the worker leaves every push for a while and tries again;
- 500 or a broken answer: this push is tried again later, with backoff;
- 409 person merged / 404 person not found: nothing was made; the child goes back to an
  officer (the needs a person list) and the row is a dead letter saying why;
- 401/403: our credentials, so every push would fail the same way: ``peer_down``;
- any other 4xx: refused for good: a dead letter with the case system's reason.
"""

from __future__ import annotations

from ffd_core.connectors.case_system_contract import (
    PATH, PERSON_MERGED, PERSON_NOT_FOUND, ContractBroken, read_transferred,
)
from ffd_core.connectors.delivery import DeliveryError
from ffd_core.connectors.http import OutboundClient, OutboundFailed, Policy, checked_url, is_loopback
from ffd_core.domain.access import SYSTEM
from ffd_core.errors import ConfigurationError
from ffd_core.secrets import get_secret
from ffd_core.services import outbox, pushes
from ffd_core.services.context import Context
from ffd_core.services.outbox import Claimed
from ffd_core.services.pushes import NotToSend

# Quick retries within one delivery; the outbox's backoff does the rest.
ATTEMPTS = 3


class CaseSystemSender:
    kind = outbox.CASE_SYSTEM_PUSH

    def __init__(self, ctx: Context) -> None:
        settings = ctx.settings
        if not settings.case_system_url:
            raise ConfigurationError("case_system_url is not set, so nothing is pushed to the "
                                     "case system; set it in the config file")
        try:
            url = checked_url(settings.case_system_url, "case_system_url")
        except OutboundFailed as error:
            raise ConfigurationError(str(error)) from None
        self.token = get_secret("case-system-token")
        if not self.token and not is_loopback(url.host):
            raise ConfigurationError("the case-system-token is not set: run `ffd secret set "
                                     "case-system-token` or set FFD_CASE_SYSTEM_TOKEN")
        self.ctx = ctx
        self.url = str(url).rstrip("/") + PATH
        timeout = float(settings.case_system_timeout_seconds)
        self.policy = Policy(connect_timeout=min(10.0, timeout), read_timeout=timeout,
                             attempts=ATTEMPTS, max_bytes=1024 * 1024)
        pushes.mapping(ctx)  # a broken field mapping stops the worker here, named

    def open(self) -> CaseSystemChannel:
        return CaseSystemChannel(self)


class CaseSystemChannel:
    """One HTTP connection pool for a batch."""

    def __init__(self, sender: CaseSystemSender) -> None:
        self.sender, self.ctx = sender, sender.ctx
        self.client = OutboundClient(token=sender.token, policy=sender.policy)

    def deliver(self, item: Claimed) -> None:
        try:
            request = pushes.request_for(self.ctx, SYSTEM, item.id)
        except NotToSend as error:
            raise DeliveryError(str(error), permanent=True) from error
        what = f"push of {request.reference} ({request.child})"
        try:
            _status, body = self.client.post_json(self.sender.url, request.body, what=what,
                                                  idempotency_key=request.key)
            result = read_transferred(body, episode_expected=request.episode_expected)
        except OutboundFailed as error:
            raise self._failure(error, item) from error
        except ContractBroken as error:
            raise DeliveryError(f"{what}: {error}; the case system does not follow the "
                                "contract (tried again later)") from error
        pushes.record_transferred(self.ctx, SYSTEM, item.id, result)

    def _failure(self, error: OutboundFailed, item: Claimed) -> DeliveryError:
        detail = error.detail if isinstance(error.detail, dict) else {}
        code = detail.get("error")
        if error.status in (404, 409) and code in (PERSON_MERGED, PERSON_NOT_FOUND):
            merged = detail.get("merged_into") if code == PERSON_MERGED else None
            reason = pushes.person_refused(self.ctx, SYSTEM, item.id,
                                           str(merged)[:80] if merged else None)
            return DeliveryError(f"{reason}; an officer chooses the person (needs a person)",
                                 bounced=True)
        if error.passing or error.status in (401, 403):
            return DeliveryError(str(error), peer_down=True)
        if error.status is not None and 400 <= error.status < 500:
            return DeliveryError(str(error), bounced=True)
        return DeliveryError(str(error))  # 500, an answer that is not JSON: later, with backoff

    def close(self) -> None:
        self.client.close()

