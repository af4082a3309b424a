"""How a referral looks to the person who made it: the one table from every status to the
words a referrer sees, used by the web endpoint, the partner API and the emails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ffd_core.domain.vocab import Outcome, Status, StrEnum


class ReferrerStatus(StrEnum):
    RECEIVED = "received"
    BEING_LOOKED_AT = "being_looked_at"
    MORE_INFORMATION_NEEDED = "more_information_needed"
    DECIDED = "decided"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: Mapping[ReferrerStatus, str] = {
    ReferrerStatus.RECEIVED: "Received",
    ReferrerStatus.BEING_LOOKED_AT: "Being looked at",
    ReferrerStatus.MORE_INFORMATION_NEEDED: "More information needed",
    ReferrerStatus.DECIDED: "Decided",
    ReferrerStatus.CLOSED: "Closed",
}

# Awaiting sign-off is still "being looked at": a proposed decision is not a decision until
# a supervisor agrees. A transfer to the case system is the front door's business.
BY_STATUS: Mapping[Status, ReferrerStatus] = {
    Status.RECEIVED: ReferrerStatus.RECEIVED,
    Status.SCREENING: ReferrerStatus.BEING_LOOKED_AT,
    Status.AWAITING_INFORMATION: ReferrerStatus.MORE_INFORMATION_NEEDED,
    Status.AWAITING_SIGN_OFF: ReferrerStatus.BEING_LOOKED_AT,
    Status.DECIDED: ReferrerStatus.DECIDED,
    Status.TRANSFERRED: ReferrerStatus.DECIDED,
    Status.WITHDRAWN: ReferrerStatus.CLOSED,
    Status.CLOSED_IN_ERROR: ReferrerStatus.CLOSED,
}

# Why a closed referral is closed, in words a referrer may see (never the internal reason).
CLOSED_BECAUSE: Mapping[Status, str] = {
    Status.WITHDRAWN: "withdrawn",
    Status.CLOSED_IN_ERROR: "recorded in error",
}

# Outcomes as a referrer reads them.
OUTCOME_FOR_REFERRER: Mapping[Outcome, str] = {
    Outcome.SOCIAL_CARE_REFERRAL: "Referred to children's social care",
    Outcome.EARLY_HELP: "Passed to early help",
    Outcome.ADVICE_SIGNPOSTING: "Advice and signposting given",
    Outcome.INFORMATION_SHARED: "Information shared",
    Outcome.NO_FURTHER_ACTION: "No further action by children's social care",
    Outcome.INFORMATION_DECLINED: "Information not shared",
}


@dataclass(frozen=True)
class ReferrerState:
    status: ReferrerStatus
    closed_because: str | None = None

    @property
    def label(self) -> str:
        if self.closed_because:
            return f"{self.status.label} ({self.closed_because})"
        return self.status.label


def referrer_state(status: Status, *, asked_referrer: bool = True) -> ReferrerState:
    """What the referrer sees for a contact in ``status`` (a reopened contact is back in
    screening, so it shows as being looked at). Waiting for information the front door
    asked someone else for is, to the referrer, still "being looked at"."""
    if status is Status.AWAITING_INFORMATION and not asked_referrer:
        return ReferrerState(ReferrerStatus.BEING_LOOKED_AT)
    return ReferrerState(BY_STATUS[status], CLOSED_BECAUSE.get(status))


def addressed_to_referrer(recipient: str | None, referrer_email: str | None) -> bool:
    """A message from the front door belongs on the referrer's view only if it went to the
    referrer: a request for information sent to a health visitor about the same family is
    not the referrer's to read or to answer."""
    return bool(recipient and referrer_email
                and recipient.strip().lower() == referrer_email.strip().lower())
