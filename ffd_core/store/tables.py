"""Tables for agencies, users, contacts and everything that hangs off a contact.

Services are the only writers. Status, owner and the clock columns on ``contacts`` are a
projection of the audit trail kept for fast sorting and counting; ``ffd clocks rebuild``
recomputes the clock part from the trail.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ffd_core.store.base import JSONType, UTCDateTime, Base

OPEN_CONDITION = ("status IN ('received', 'screening', 'awaiting_information', "
                  "'awaiting_sign_off')")

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a bigint identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    email_domains: Mapped[list[str]] = mapped_column(JSONType, default=list)
    cin_source_code: Mapped[str] = mapped_column(String(4))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(40))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    team: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Made by `ffd demo`: signs in only to a store that `ffd demo` made (see StoreOrigin).
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    agency: Mapped[Agency] = relationship(lazy="joined")


class RememberToken(Base):
    """"Remember me" on an officer's machine: only the token's hash is stored here; the token
    itself sits in that machine's OS keyring."""

    __tablename__ = "remember_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReferenceCounter(Base):
    """Next human reference per year; references are never reused."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority_range"),
        Index("ix_contacts_queue", "status", "priority", "due_at"),
        Index("ix_contacts_owner_status", "owner_id", "status"),
        Index("ix_contacts_received_at", "received_at"),
        Index("ix_contacts_decided_at", "decided_at"),
        # An idempotency key is the submitting agency's own (see services.contacts.submit).
        UniqueConstraint("idempotency_scope", "idempotency_key",
                         name="uq_contacts_idempotency_scope_key"),
        # The holding area: only open contacts (a tenth of the table), in queue order.
        Index("ix_contacts_open_queue", "priority", "due_at", "id",
              postgresql_where=text(OPEN_CONDITION), sqlite_where=text(OPEN_CONDITION)),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # A machine client's key for this submission: a retry finds the first, never a second.
    idempotency_key: Mapped[str | None] = mapped_column(String(120))
    idempotency_scope: Mapped[str | None] = mapped_column(String(40))  # "agency:12"
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))  # content digest
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(60))
    form_id: Mapped[str | None] = mapped_column(String(60))
    form_version: Mapped[str | None] = mapped_column(String(20))
    form_hash: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # The referrer: a registered user, or details typed in for an unregistered one.
    referrer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referrer_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    referrer: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    keep_identity_from_family: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[str] = mapped_column(String(20))
    consent_reason: Mapped[str | None] = mapped_column(Text)
    referrer_priority: Mapped[int | None] = mapped_column(Integer)
    referrer_level_of_need: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    priority_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    restricted_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic concurrency: every write names the version its caller saw.
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Clock projection (see ffd_core.domain.clocks); current statutory period only.
    clock_period: Mapped[int] = mapped_column(Integer, default=1)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    working_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Denormalised for the holding area: first subject child's name, lowercase search text.
    child_summary: Mapped[str] = mapped_column(String(300), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    # An unstructured contact (a secure email): officers add the child, category and consent
    # (services.completion), which then pass the same checks as any other contact.
    to_complete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    people: Mapped[list[ContactPerson]] = relationship(
        back_populates="contact", order_by="ContactPerson.position", cascade="all, delete-orphan"
    )
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
    referrer_agency: Mapped[Agency | None] = relationship(foreign_keys=[referrer_agency_id])


class ContactPerson(Base):
    """A child or household member as entered on the contact (linked to person records later)."""

    __tablename__ = "contact_people"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    given_name: Mapped[str] = mapped_column(String(120), default="")
    family_name: Mapped[str] = mapped_column(String(120), default="")
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    expected_due_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(10))
    relationship_to_child: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    school: Mapped[str | None] = mapped_column(String(200))
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    upn: Mapped[str | None] = mapped_column(String(13))
    # Set when an officer links this entry to a person in the index (the single view).
    person_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # Ground truth for synthetic data only, so linkage quality can be measured.
    synthetic_key: Mapped[str | None] = mapped_column(String(40), index=True)

    contact: Mapped[Contact] = relationship(back_populates="people")

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or "(name not known)"


class Decision(Base):
    """The decision about one subject child on one contact (Annex A counts these rows)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("contact_people.id"))
    clock_period: Mapped[int] = mapped_column(Integer, default=1)
    outcome: Mapped[str] = mapped_column(String(40))
    rationale: Mapped[str] = mapped_column(Text)
    level_of_need: Mapped[str | None] = mapped_column(String(20))
    indicators: Mapped[list[str]] = mapped_column(JSONType, default=list)
    primary_need: Mapped[str | None] = mapped_column(String(3))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # proposed while awaiting sign-off; final once decided (approved or needing none);
    # returned when a supervisor sends it back (kept: history is never deleted).
    state: Mapped[str] = mapped_column(String(20))
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The reply to the referrer chosen with this decision: sent only if it becomes final.
    reply_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))


class ContactLink(Base):
    """Two contacts about the same child: linked, never merged."""

    __tablename__ = "contact_links"
    __table_args__ = (
        UniqueConstraint("contact_id", "other_contact_id"),
        CheckConstraint("contact_id < other_contact_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    other_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Message(Base):
    """Between officers and the referrer: requests, replies, rejections, outcomes."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(10))  # "out" to the referrer, "in" from them
    recipient: Mapped[str | None] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text)
    chase_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # For a reply from the referrer's side: who sent it, as they should be named.
    sender: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # current: on the thread (sent or received); held: waits for its decision's sign-off;
    # superseded: its decision was returned, so it is never sent.
    state: Mapped[str] = mapped_column(String(20), default="current", server_default="current")


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attachment(Base):
    """Metadata only: the content lives in the blob store, addressed by its sha256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """An effect to deliver later (email, case-system push), written in the same transaction
    as the change that caused it; the idempotency key stops a retry sending it twice.

    pending -> sending (claimed by one worker until ``next_attempt_at``, its lease) -> sent,
    or back to pending with a later ``next_attempt_at``, or dead (a dead letter that a
    supervisor may retry). A lease that runs out means the worker died: the row is claimable
    again (see ffd_core.services.outbox)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The email's Message-ID, fixed at the first claim and reused by every retry.
    email_message_id: Mapped[str | None] = mapped_column(String(255))
    claimed_by: Mapped[str | None] = mapped_column(String(120))  # the worker holding it
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The peer refused it for good (e.g. SMTP 550 no such mailbox), rather than retries ran out.
    bounced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class CaseSystemTransfer(Base):
    """One child of a decided contact on its way into the case system (per statutory period).

    needs_person: waits for an officer to link the child or confirm a new person; queued: its
    push is in the outbox; transferred: the case system holds it (the ids it returned);
    not_sent: the contact was closed in error first. ``round`` goes up when an officer
    re-targets a push the case system refused (nothing was created), so the next request
    carries a new idempotency key; otherwise every retry carries the same one."""

    __tablename__ = "case_system_transfers"
    __table_args__ = (UniqueConstraint("contact_id", "child_id", "clock_period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("contact_people.id"))
    clock_period: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why it needs a person
    case_person_id: Mapped[str | None] = mapped_column(String(80))
    new_person: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    round: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_contact_id: Mapped[str | None] = mapped_column(String(80))
    episode_id: Mapped[str | None] = mapped_column(String(80))
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboundEmail(Base):
    """Every email the intake took from the relay, kept before the relay is told "250": it
    became a contact or a reply (accepted), or waits in quarantine for a supervisor (then
    released or deleted). The raw message is in the blob store under ``sha256`` (none when
    it was too large to keep, or after it was deleted)."""

    __tablename__ = "inbound_emails"
    __table_args__ = (Index("ix_inbound_emails_state", "state", "received_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    peer: Mapped[str] = mapped_column(String(64))
    mail_from: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[list[str]] = mapped_column(JSONType, default=list)
    from_address: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    message_id: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    named_reference: Mapped[str | None] = mapped_column(String(20))  # a valid reply token's
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)


class TimedJobRow(Base):
    """When each timed job (chase-by, due-soon warnings...) may next run: a worker takes a
    turn by moving ``next_run_at`` on, so several workers never run a job at once and a
    restarted worker carries on where the last one left off."""

    __tablename__ = "timed_jobs"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    """Append-only and chained: triggers refuse UPDATE and DELETE, and each event's HMAC
    covers its content and the previous event's HMAC (see ffd_core.audit)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    subject: Mapped[str | None] = mapped_column(String(120), index=True)
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prev_hmac: Mapped[str] = mapped_column(String(64))
    hmac: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the chain's tip. Locking it serialises audit writers on PostgreSQL.

    ``head_hmac`` authenticates the tip (sequence, last HMAC, key fingerprint) under the
    audit key, so the end of the trail cannot be cut and the head rewound without the key;
    ``key_fingerprint`` names the key writes must use (both empty until the first write)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hmac: Mapped[str] = mapped_column(String(64))
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))
    head_hmac: Mapped[str | None] = mapped_column(String(64))


class StoreOrigin(Base):
    """One row when a tool made the store, e.g. `ffd demo`: it then may (and only then) reuse
    it, and its demo accounts may sign in."""

    __tablename__ = "store_origin"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    made_by: Mapped[str] = mapped_column(String(40))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seed: Mapped[int | None] = mapped_column(BigInteger)


class Change(Base):
    """The change feed: front ends ask "what changed since N" with one indexed read."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClockPeriodRow(Base):
    """Projection of each statutory period (a reopen starts a new one; old results stay)."""

    __tablename__ = "clock_periods"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    counted_from: Mapped[datetime] = mapped_column(UTCDateTime)
    statutory_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    working_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_minutes: Mapped[float] = mapped_column(Float, default=0)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stop_status: Mapped[str | None] = mapped_column(String(30))
    statutory_margin_minutes: Mapped[float | None] = mapped_column(Float)
    working_margin_minutes: Mapped[float | None] = mapped_column(Float)
