"""The access policy: the one place that says who may do what.

A right is decided from three things: the actor's role, the actor's relation to the
record as it was loaded (owner, referrer, same agency as the referrer, none; and whether
the contact is restricted), and the action. The lifecycle file names the roles of each
lifecycle edge; this module adds the scope. Services ask ``require`` once per use case,
before anything changes; front ends ask ``allows`` which keys and buttons to offer; list
reads ask ``contact_visibility`` for the predicate, so what a role may not see is never
loaded, counted or paged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from ffd_core.domain.addresses import domain_of
from ffd_core.domain.lifecycle import Lifecycle
from ffd_core.domain.vocab import STAFF_ROLES, AgencyKind, Channel, Role, StrEnum
from ffd_core.errors import PermissionDenied

# Agencies whose safeguarding leads share their referrals with each other by default
# (a school's two designated safeguarding leads); large agencies keep them per person.
AGENCY_WIDE_BY_DEFAULT = frozenset({
    AgencyKind.SCHOOL, AgencyKind.EARLY_YEARS, AgencyKind.GP_PRACTICE, AgencyKind.VOLUNTARY,
})


class Action(StrEnum):
    """Everything a person can ask of the product that is not a lifecycle edge.
    (Lifecycle edges are actions too: they are named by the edge, e.g. "claim".)"""

    # Contacts
    SEE_QUEUE = "see_queue"  # the holding area, its counters and the workload
    STAFF_VIEW = "staff_view"  # a contact with notes, history, decisions and links
    REFERRER_VIEW = "referrer_view"  # what the referrer sent and was told
    SUBMIT = "submit"
    RECORD_CONTACT = "record_contact"  # staff type in a call or a letter (may backdate receipt)
    TAKE_NEXT = "take_next"
    NOTE = "note"
    ATTACH = "attach"
    READ_ATTACHMENT = "read_attachment"
    LINK_CONTACTS = "link_contacts"
    LINK_CHILD = "link_child"  # say which person in the index a child on a contact is
    WRITE_TO_REFERRER = "write_to_referrer"
    # The web endpoint: a partner's own unsent answers, and their restricted child look-up
    KEEP_DRAFTS = "keep_drafts"
    LOOK_UP_CHILD = "look_up_child"
    # The person index (single view of the child)
    SEARCH_PEOPLE = "search_people"
    VIEW_PERSON = "view_person"
    REVIEW_MATCHES = "review_matches"
    DECIDE_MATCH = "decide_match"
    MAINTAIN_INDEX = "maintain_index"  # import, sync, relink, reindex
    # Figures and files
    EXPORT = "export"
    # Running the service
    ADMINISTER = "administer"  # agencies and accounts
    OPERATE_STORE = "operate_store"  # migrations, copies, audit verification, clock rebuilds
    # Messages that go out (the outbox)
    DELIVER = "deliver"  # the worker: claim, send, record results, run the timed jobs
    READ_OUTBOX = "read_outbox"  # every queued, sent and failed message, and today's figures
    RETRY_DELIVERY = "retry_delivery"  # send a dead letter again
    # The case system and secure email
    CONFIRM_NEW_PERSON = "confirm_new_person"  # the case system should create this child
    COMPLETE_CONTACT = "complete_contact"  # add the child, category and consent to an email
    RECEIVE_EMAIL = "receive_email"  # the intake: keep, accept or quarantine what the relay sent
    READ_QUARANTINE = "read_quarantine"
    DECIDE_QUARANTINE = "decide_quarantine"  # release or delete a quarantined email


class Relation(StrEnum):
    """The actor's relation to one contact, strongest first."""

    OWNER = "owner"
    REFERRER = "referrer"
    SAME_AGENCY = "same_agency"  # the referrer's agency shares referrals agency-wide
    NONE = "none"


class Scope(Enum):
    """What an action needs besides the role."""

    NONE = "none"  # not about one contact, or a blind act on one (recording a push)
    CONTACT = "contact"  # the actor must be able to see the contact (see ``may_see``)


API_CHANNEL = Channel.API.value
READERS = frozenset({Role.SCREENING_OFFICER, Role.SOCIAL_WORKER, Role.SUPERVISOR})
OFFICERS = frozenset({Role.SCREENING_OFFICER, Role.SUPERVISOR})
_SYSTEM = frozenset({Role.SYSTEM})

# Roles per action (lifecycle edges take theirs from the lifecycle file).
ROLES: Mapping[Action, frozenset[Role]] = {
    Action.SEE_QUEUE: READERS | _SYSTEM,
    Action.STAFF_VIEW: READERS | _SYSTEM,
    Action.REFERRER_VIEW: frozenset({Role.PARTNER}) | _SYSTEM,
    Action.SUBMIT: frozenset({Role.PARTNER}) | OFFICERS | _SYSTEM,
    Action.RECORD_CONTACT: OFFICERS,
    Action.TAKE_NEXT: OFFICERS,
    Action.NOTE: OFFICERS,
    Action.ATTACH: OFFICERS | {Role.PARTNER} | _SYSTEM,
    Action.READ_ATTACHMENT: READERS | {Role.PARTNER} | _SYSTEM,
    Action.LINK_CONTACTS: OFFICERS,
    Action.LINK_CHILD: OFFICERS,
    Action.WRITE_TO_REFERRER: OFFICERS,
    Action.KEEP_DRAFTS: frozenset({Role.PARTNER}) | _SYSTEM,
    Action.LOOK_UP_CHILD: frozenset({Role.PARTNER}),
    Action.SEARCH_PEOPLE: READERS | _SYSTEM,
    Action.VIEW_PERSON: READERS | _SYSTEM,
    Action.REVIEW_MATCHES: OFFICERS | _SYSTEM,
    Action.DECIDE_MATCH: OFFICERS | _SYSTEM,
    Action.MAINTAIN_INDEX: frozenset({Role.ADMINISTRATOR}) | _SYSTEM,
    Action.EXPORT: frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}) | _SYSTEM,
    Action.ADMINISTER: frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}) | _SYSTEM,
    Action.OPERATE_STORE: _SYSTEM,
    Action.DELIVER: _SYSTEM,
    # Supervisors answer for what the front door told referrers; the messages name children,
    # so administrators (who see no contacts) do not read them.
    Action.READ_OUTBOX: frozenset({Role.SUPERVISOR}) | _SYSTEM,
    Action.RETRY_DELIVERY: frozenset({Role.SUPERVISOR}) | _SYSTEM,
    Action.CONFIRM_NEW_PERSON: OFFICERS,  # a human decision, never the system's
    Action.COMPLETE_CONTACT: OFFICERS,
    Action.RECEIVE_EMAIL: _SYSTEM,
    # Quarantined mail may be anything (forged, about any child): supervisors judge it.
    Action.READ_QUARANTINE: frozenset({Role.SUPERVISOR}) | _SYSTEM,
    Action.DECIDE_QUARANTINE: frozenset({Role.SUPERVISOR}) | _SYSTEM,  # the command line too
}

SCOPES: Mapping[Action, Scope] = {
    action: Scope.CONTACT for action in (
        Action.STAFF_VIEW, Action.REFERRER_VIEW, Action.NOTE, Action.ATTACH,
        Action.READ_ATTACHMENT, Action.LINK_CONTACTS, Action.LINK_CHILD,
        Action.WRITE_TO_REFERRER, Action.CONFIRM_NEW_PERSON, Action.COMPLETE_CONTACT,
    )
}

# Edges an administrator takes without reading the contact: recording what the case
# system answered. Every other edge needs the actor to see the contact.
BLIND_EDGES = frozenset({"push"})

DOING = {
    Action.SEE_QUEUE: "see the holding area",
    Action.STAFF_VIEW: "open contacts",
    Action.REFERRER_VIEW: "see referrals as their referrer",
    Action.SUBMIT: "send contacts",
    Action.RECORD_CONTACT: "record telephone or posted contacts",
    Action.TAKE_NEXT: "take the next contact",
    Action.NOTE: "add notes",
    Action.ATTACH: "attach documents",
    Action.READ_ATTACHMENT: "open attachments",
    Action.LINK_CONTACTS: "link contacts",
    Action.LINK_CHILD: "link children to records",
    Action.WRITE_TO_REFERRER: "write to referrers",
    Action.KEEP_DRAFTS: "keep drafts of referrals",
    Action.LOOK_UP_CHILD: "look a child up before referring",
    Action.SEARCH_PEOPLE: "search the person index",
    Action.VIEW_PERSON: "open a child's records",
    Action.REVIEW_MATCHES: "review possible matches",
    Action.DECIDE_MATCH: "confirm or split possible matches",
    Action.MAINTAIN_INDEX: "import or relink the person index",
    Action.EXPORT: "export records",
    Action.ADMINISTER: "manage agencies and accounts",
    Action.OPERATE_STORE: "operate the store",
    Action.DELIVER: "deliver queued messages",
    Action.READ_OUTBOX: "read the outbox",
    Action.RETRY_DELIVERY: "retry failed messages",
    Action.CONFIRM_NEW_PERSON: "confirm a new person in the case system",
    Action.COMPLETE_CONTACT: "complete emailed contacts",
    Action.RECEIVE_EMAIL: "receive secure email",
    Action.READ_QUARANTINE: "see quarantined email",
    Action.DECIDE_QUARANTINE: "release or delete quarantined email",
}


@dataclass(frozen=True)
class Actor:
    """Who is acting. Front ends authenticate and hold one; every service re-reads it from
    the store (``Context.resolve``) before asking the policy, so a disabled account or a
    changed role takes effect on the next call, not the next sign-in."""

    user_id: int | None
    name: str
    role: Role
    agency_id: int | None = None
    username: str = ""
    agency_wide: bool = False  # the agency's referrals are visible to all its partners
    # A partner system's API key: no person, the key's agency, checked on every call.
    api_key_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role is not Role.PARTNER


# The outbox worker, timed jobs and the command line's administration act as the system.
SYSTEM = Actor(user_id=None, name="system", role=Role.SYSTEM)


@dataclass(frozen=True)
class ContactFacts:
    """What the policy needs to know about one contact, read from the row as loaded."""

    reference: str
    restricted: bool
    owner_id: int | None
    referrer_user_id: int | None
    referrer_agency_id: int | None
    channel: str = ""  # how it reached us: a partner system sees only what came by its API


def relation(actor: Actor, contact: ContactFacts) -> Relation:
    uid = actor.user_id
    if uid is not None and contact.owner_id == uid:
        return Relation.OWNER
    if uid is not None and contact.referrer_user_id == uid:
        return Relation.REFERRER
    if (actor.agency_wide and actor.agency_id is not None
            and contact.referrer_agency_id == actor.agency_id):
        return Relation.SAME_AGENCY
    return Relation.NONE


@dataclass(frozen=True)
class Visibility:
    """Which contacts a actor may see, as data a store can turn into a query predicate.
    ``admits`` is the same rule for one row; the rights-matrix test holds them together."""

    everything: bool = False
    unrestricted: bool = False  # every contact that is not restricted ...
    owner_id: int | None = None  # ... plus those this person owns
    referrer_user_id: int | None = None  # a partner's own referrals ...
    # ... or their agency's, when shared agency-wide: never one the front door restricted
    # (a colleague's referral, typed in by an officer, may be about a colleague's family).
    referrer_agency_id: int | None = None
    # A partner system sees what its agency's systems sent by the API (not its people's
    # referrals, nor calls an officer typed in for the agency), never a restricted one.
    system_agency_id: int | None = None

    def admits(self, contact: ContactFacts) -> bool:
        return (
            self.everything
            or (self.system_agency_id is not None and contact.referrer_user_id is None
                and contact.referrer_agency_id == self.system_agency_id
                and contact.channel == API_CHANNEL and not contact.restricted)
            or (self.unrestricted and not contact.restricted)
            or (self.owner_id is not None and contact.owner_id == self.owner_id)
            or (self.referrer_user_id is not None
                and contact.referrer_user_id == self.referrer_user_id)
            or (self.referrer_agency_id is not None and not contact.restricted
                and contact.referrer_agency_id == self.referrer_agency_id)
        )

    @property
    def nothing(self) -> bool:
        return self == Visibility()


def contact_visibility(actor: Actor) -> Visibility:
    """Staff who work contacts see every unrestricted one; a restricted contact (about a
    colleague's own family, say) only its owner and supervisors; a partner only their own
    referrals, or their agency's where the agency shares them; administrators none."""
    role = actor.role
    if role in (Role.SYSTEM, Role.SUPERVISOR):
        return Visibility(everything=True)
    if role in READERS:
        return Visibility(unrestricted=True, owner_id=actor.user_id)
    if role is Role.PARTNER and actor.user_id is None:
        return Visibility(system_agency_id=actor.agency_id)
    if role is Role.PARTNER:
        return Visibility(
            referrer_user_id=actor.user_id,
            referrer_agency_id=actor.agency_id if actor.agency_wide else None,
        )
    return Visibility()


def may_see(actor: Actor, contact: ContactFacts) -> bool:
    return contact_visibility(actor).admits(contact)


class AccessPolicy:
    """Rights for one lifecycle (the lifecycle file names each edge's roles)."""

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle

    def roles(self, action: Action | str) -> frozenset[Role]:
        if isinstance(action, Action):
            return ROLES[action]
        return self.lifecycle.edge(action).roles

    def refusal(self, actor: Actor, action: Action | str,
                contact: ContactFacts | None = None) -> str | None:
        """Why the actor may not do this (one sentence a person can act on), or None."""
        role = actor.role
        label = DOING[action] if isinstance(action, Action) else f"{_edge_label(action)} a contact"
        if role not in self.roles(action):
            return f"a {role.label} may not {label}"
        if contact is None or not self._scoped(action, role):
            return None
        if not may_see(actor, contact):
            return (f"you may not open {contact.reference}; it is restricted or outside your "
                    "role — ask a supervisor if you need it")
        if isinstance(action, str) and not isinstance(action, Action):
            edge = self.lifecycle.edge(action)
            if (edge.owner_only and role not in edge.or_roles
                    and relation(actor, contact) is not Relation.OWNER):
                return (f"only the contact's owner may {edge.label} it; "
                        "claim it or take it over first")
        return None

    def allows(self, actor: Actor, action: Action | str,
               contact: ContactFacts | None = None) -> bool:
        return self.refusal(actor, action, contact) is None

    def require(self, actor: Actor, action: Action | str,
                contact: ContactFacts | None = None) -> None:
        reason = self.refusal(actor, action, contact)
        if reason is not None:
            raise PermissionDenied(reason)

    @staticmethod
    def _scoped(action: Action | str, role: Role) -> bool:
        if isinstance(action, Action):
            return SCOPES.get(action) is Scope.CONTACT
        return not (action in BLIND_EDGES and role in (Role.ADMINISTRATOR, Role.SYSTEM))


def _edge_label(name: str) -> str:
    return name.replace("_", " ")


def sign_off_refusal(actor: Actor, proposed_by_id: int | None, *, four_eyes: bool,
                     another_supervisor_active: bool, reason: str) -> str | None:
    """Four eyes: a supervisor's own decision is signed off by another supervisor. When no
    other supervisor is active, any supervisor may sign it off, saying why (audited)."""
    if not four_eyes or actor.user_id is None or proposed_by_id != actor.user_id:
        return None
    if another_supervisor_active:
        return ("another supervisor must sign off your own decision; "
                "it waits in their awaiting sign-off list")
    if not reason.strip():
        return ("no other supervisor is active, so you may sign off your own decision, "
                "but say why (recorded on the audit trail)")
    return None


def attachment_refusal(actor: Actor, *, from_referrer_side: bool) -> str | None:
    """Beyond seeing the contact: a referrer opens only documents their side sent, never
    one the front door attached internally."""
    if actor.role is Role.PARTNER and not from_referrer_side:
        return "that document is not one your agency sent"
    return None


def draft_refusal(actor: Actor, draft_user_id: int) -> str | None:
    """A draft is its author's alone until it is sent (colleagues see it once submitted)."""
    if actor.role is Role.SYSTEM or (actor.user_id is not None and actor.user_id == draft_user_id):
        return None
    return "that draft is not yours"


def lookup_refusal(agency_kind: str, allowed_kinds: frozenset[str] | tuple[str, ...]) -> str | None:
    """The restricted child look-up is for the agency kinds the council allows (by default
    schools, health and police; voluntary organisations are off)."""
    if agency_kind in allowed_kinds:
        return None
    return "your organisation's kind may not look children up; make the referral and the front door will check"


def account_refusal(actor: Actor, role: Role) -> str | None:
    """Beyond administering at all: only an administrator (or the system) creates or
    disables administrators."""
    if role is Role.ADMINISTRATOR and actor.role not in (Role.ADMINISTRATOR, Role.SYSTEM):
        return "only an administrator may create or disable administrators"
    return None


def reply_refusal(actor: Actor, *, asked_referrer: bool) -> str | None:
    """A referrer answers only a request the front door sent to them (staff may record what
    anyone said, at any time)."""
    if actor.role is Role.PARTNER and not asked_referrer:
        return "the front door is not waiting for an answer from you on this referral"
    return None


# ------------------------------------------------------------------------------ partners' accounts


@dataclass(frozen=True)
class AgencyFacts:
    """What the policy needs to know about one agency, read from the store."""

    agency_id: int
    name: str
    kind: str
    account_roles: frozenset[Role]  # the roles of its accounts, active or not


def is_partner_agency(agency: AgencyFacts) -> bool:
    """A partner agency refers to the front door. The council's own front door (kind
    council_social_care) and any agency holding a staff account are the council's staff
    side: nobody joins them by registering on the web."""
    return (agency.kind != AgencyKind.COUNCIL_SOCIAL_CARE.value
            and not agency.account_roles & STAFF_ROLES)


def registration_refusal(listing: Sequence[AgencyFacts]) -> str | None:
    """Self-registration picks the agency by the email address's domain, so it needs exactly
    one active agency listing that domain, and a partner agency; otherwise why not (for the
    audit trail: the person is told only what an unknown domain is told)."""
    if not listing:
        return "no active agency lists the domain"
    if len(listing) > 1:
        return ("more than one active agency lists the domain: "
                + ", ".join(sorted(a.name for a in listing)))
    if not is_partner_agency(listing[0]):
        return f"{listing[0].name} is the council's staff agency, not a partner agency"
    return None


OWN_EMAIL = ("Enter your own work email address, the one you sign in with: the front door "
             "writes about this referral only to you")


def referrer_email_refusal(actor: Actor, email: str, *, own_email: str | None,
                           agency_domains: Sequence[str]) -> str | None:
    """The front door writes to the referrer's email about the child (acknowledgement,
    requests for information, the outcome), so a partner may not point it at a third party:
    a signed-in person gives their own address (exactly, case aside: on a mail server
    without "+" addressing, tess+x@ is someone else), a partner system an address at one of
    its agency's email domains. Staff record what a caller gave them; empty is for the
    service (a person's own address) and the form to decide."""
    email = (email or "").strip()
    if actor.role is not Role.PARTNER or not email:
        return None
    if actor.user_id is not None:
        if own_email and email.lower() == own_email.strip().lower():
            return None
        return OWN_EMAIL
    domains = sorted({d.strip().lower() for d in agency_domains if d.strip()})
    if domain_of(email) in domains:
        return None
    if not domains:
        return ("Leave the email address out: your organisation has no email domain with the "
                "front door, so it can write to you only by phone (ask the front door to add one)")
    return (f"Enter an email address at your organisation ({', '.join(domains)}): the front door "
            "writes about this child only to your organisation")
