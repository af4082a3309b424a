"""The team's words for things, as enums. Code lists that councils vary live in data files."""

from __future__ import annotations

from enum import Enum, IntEnum


class StrEnum(str, Enum):
    def __str__(self) -> str:  # so f-strings and JSON show the value, not the class name
        return self.value

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ContactKind(StrEnum):
    CAUSE_FOR_CONCERN = "cause_for_concern"
    REQUEST_FOR_INFORMATION = "request_for_information"


class Channel(StrEnum):
    WEB_FORM = "web_form"
    API = "api"
    SECURE_EMAIL = "secure_email"
    TELEPHONE = "telephone"
    POST = "post"
    IN_PERSON = "in_person"


class Status(StrEnum):
    RECEIVED = "received"
    SCREENING = "screening"
    AWAITING_INFORMATION = "awaiting_information"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    DECIDED = "decided"
    TRANSFERRED = "transferred"
    WITHDRAWN = "withdrawn"
    CLOSED_IN_ERROR = "closed_in_error"


class Outcome(StrEnum):
    SOCIAL_CARE_REFERRAL = "social_care_referral"
    EARLY_HELP = "early_help"
    ADVICE_SIGNPOSTING = "advice_signposting"
    INFORMATION_SHARED = "information_shared"
    NO_FURTHER_ACTION = "no_further_action"
    # A request for information ends with the information shared or declined (with reason).
    INFORMATION_DECLINED = "information_declined"


OUTCOMES_BY_KIND = {
    ContactKind.CAUSE_FOR_CONCERN: frozenset(
        {
            Outcome.SOCIAL_CARE_REFERRAL,
            Outcome.EARLY_HELP,
            Outcome.ADVICE_SIGNPOSTING,
            Outcome.INFORMATION_SHARED,
            Outcome.NO_FURTHER_ACTION,
        }
    ),
    ContactKind.REQUEST_FOR_INFORMATION: frozenset(
        {Outcome.INFORMATION_SHARED, Outcome.INFORMATION_DECLINED}
    ),
}


class Priority(IntEnum):
    IMMEDIATE = 1
    HIGH = 2
    STANDARD = 3
    LOW = 4

    @property
    def label(self) -> str:
        return self.name.lower()


class LevelOfNeed(StrEnum):
    UNIVERSAL = "universal"
    ADDITIONAL = "additional"  # additional needs / early help
    COMPLEX = "complex"  # complex needs / targeted early help
    ACUTE = "acute"  # acute / statutory social care


class Role(StrEnum):
    PARTNER = "partner"
    SCREENING_OFFICER = "screening_officer"
    SOCIAL_WORKER = "social_worker"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    # The outbox worker and scheduled jobs act as the system, never as a person.
    SYSTEM = "system"


STAFF_ROLES = frozenset(
    {Role.SCREENING_OFFICER, Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.ADMINISTRATOR}
)


class Consent(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    NOT_SOUGHT_RISK = "not_sought_risk"  # seeking it would place the child at risk


class AgencyKind(StrEnum):
    SCHOOL = "school"
    EARLY_YEARS = "early_years"  # nursery, pre-school, childminder
    EDUCATION_SERVICE = "education_service"
    GP_PRACTICE = "gp_practice"
    HOSPITAL = "hospital"
    HEALTH_VISITING = "health_visiting"
    SCHOOL_NURSING = "school_nursing"
    OTHER_HEALTH = "other_health"
    POLICE = "police"
    PROBATION = "probation"
    HOUSING = "housing"
    EARLY_HELP = "early_help"
    COUNCIL_SOCIAL_CARE = "council_social_care"
    COUNCIL_INTERNAL = "council_internal"
    OTHER_LOCAL_AUTHORITY = "other_local_authority"
    VOLUNTARY = "voluntary"
    OTHER = "other"


# The CIN census referral source each kind of agency maps to by default (DfE 2024 schema);
# an agency can override it.
CIN_SOURCE_BY_AGENCY_KIND = {
    AgencyKind.SCHOOL: "2A",
    AgencyKind.EARLY_YEARS: "2B",
    AgencyKind.EDUCATION_SERVICE: "2B",
    AgencyKind.GP_PRACTICE: "3A",
    AgencyKind.HEALTH_VISITING: "3B",
    AgencyKind.SCHOOL_NURSING: "3C",
    AgencyKind.OTHER_HEALTH: "3F",
    AgencyKind.HOSPITAL: "3E",
    AgencyKind.HOUSING: "4",
    AgencyKind.COUNCIL_SOCIAL_CARE: "5A",
    AgencyKind.COUNCIL_INTERNAL: "5B",
    AgencyKind.OTHER_LOCAL_AUTHORITY: "5C",
    AgencyKind.EARLY_HELP: "5D",
    AgencyKind.POLICE: "6",
    AgencyKind.PROBATION: "7",
    AgencyKind.VOLUNTARY: "8",
    AgencyKind.OTHER: "8",
}

CIN_SOURCE_CODES = frozenset(
    "1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10".split()
)

CIN_PRIMARY_NEED_CODES = frozenset(f"N{i}" for i in range(10))


class MessageKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    REQUEST_FOR_INFORMATION = "request_for_information"
    REPLY = "reply"
    REJECTION = "rejection"
    OUTCOME = "outcome"


class MessageState(StrEnum):
    CURRENT = "current"  # on the thread: sent to the referrer, or received from them
    HELD = "held"  # chosen with a decision that waits for sign-off; sent once it is final
    SUPERSEDED = "superseded"  # its decision was returned: never sent


class PersonRole(StrEnum):
    SUBJECT = "subject"  # a child the contact is about; gets a decision
    HOUSEHOLD = "household"  # parent, carer, sibling or other household member
