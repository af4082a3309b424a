"""What every use case needs: the store, the clock, the settings, the audit key, the rules
(and, where account emails are queued or sent, the mail key)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ffd_core import audit
from ffd_core.clock import Clock, SystemClock
from ffd_core.domain.calendar import WorkingCalendar
from ffd_core.domain.clocks import ClockPolicy
from ffd_core.domain.lifecycle import Lifecycle, default_lifecycle
from ffd_core.domain.access import SYSTEM, AccessPolicy, Action, Actor, ContactFacts  # noqa: F401 - SYSTEM re-exported
from ffd_core.domain.vocab import Role
from ffd_core.errors import AccountDisabled, ConfigurationError, PermissionDenied
from ffd_core.sealing import Sealer
from ffd_core.secrets import get_secret, require_secret
from ffd_core.settings import Settings
from ffd_core.store.engine import WRITE_OPTION, is_postgres, make_engine
from ffd_core.store.migrate import ensure_current
from ffd_core.store.tables import Agency, Change, User

CHANGE_CHANNEL = "ffd_changes"


class Context:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        audit_key: bytes,
        clock: Clock | None = None,
        lifecycle: Lifecycle | None = None,
        mail_key: bytes | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.audit_key = audit_key
        # None: the mail-key secret, read when first needed (only the web endpoint and the
        # worker seal or open account emails; the console never does).
        self.mail_key = mail_key
        self.clock = clock or SystemClock()
        self.lifecycle = lifecycle or default_lifecycle()
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        self._batch: Session | None = None

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None, check_schema: bool = True) -> Context:
        engine = make_engine(database_url_with_secret(settings.resolved_database_url))
        if check_schema:
            ensure_current(engine)
        return cls(engine, settings, require_secret("audit-key").encode("utf-8"), clock)

    @cached_property
    def policy(self) -> AccessPolicy:
        return AccessPolicy(self.lifecycle)

    def resolve(self, session: Session, actor: Actor) -> Actor:
        """The actor as the store knows them now: a disabled account or agency loses access
        at once, and a changed role applies to the very next call."""
        if actor.user_id is None:
            if actor.role is Role.SYSTEM:
                return actor
            if actor.role is not Role.PARTNER or actor.api_key_id is None:
                raise PermissionDenied("sign in first")
            return self._key_actor(session, actor)
        user = session.get(User, actor.user_id)
        if user is None or not user.active:
            raise AccountDisabled("this account is disabled; ask an administrator")
        agency = self._active_agency(session, user.agency_id)
        return Actor(user_id=user.id, name=user.display_name, role=Role(user.role),
                     agency_id=user.agency_id, username=user.username,
                     agency_wide=user.role == Role.PARTNER.value and self.shares_agency_wide(agency))

    def _key_actor(self, session: Session, actor: Actor) -> Actor:
        """A partner system's API key, as the store knows it now: a revoked key or a
        disabled agency stops working on its very next call."""
        from ffd_core.store.web_tables import ApiKey

        key = session.get(ApiKey, actor.api_key_id)
        if key is None or key.revoked_at is not None:
            raise AccountDisabled("this API key was revoked; ask the front door for a new one")
        agency = self._active_agency(session, key.agency_id)
        return replace(actor, agency_id=agency.id, agency_wide=False)

    def authorize(self, session: Session, actor: Actor, action: Action | str,
                  contact: ContactFacts | None = None) -> Actor:
        """Resolve the actor and ask the policy; returns the resolved actor to act as."""
        current = self.resolve(session, actor)
        self.policy.require(current, action, contact)
        return current

    def shares_agency_wide(self, agency: Agency) -> bool:
        return agency.kind in self.settings.agency_wide_kinds

    @staticmethod
    def _active_agency(session: Session, agency_id: int) -> Agency:
        agency = session.get(Agency, agency_id)
        if agency is None or not agency.active:
            raise AccountDisabled("this agency's access is disabled; ask the front door")
        return agency

    @cached_property
    def mail_sealer(self) -> Sealer:
        """Seals account emails' codes and links in the outbox (``ffd_core.sealing``)."""
        key = self.mail_key if self.mail_key is not None else get_secret("mail-key")
        if not key:
            raise ConfigurationError(
                "the mail-key is not set, so account emails (sign-in codes, links) can be "
                "neither sealed nor opened: run `ffd secret set mail-key` or set FFD_MAIL_KEY, "
                "with the same key for `ffd serve` and `ffd worker`")
        return Sealer(key.encode("utf-8") if isinstance(key, str) else key)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.settings.office_start, self.settings.office_end)

    @cached_property
    def clock_policy(self) -> ClockPolicy:
        return ClockPolicy(target=self.settings.decision_target, calendar=self.calendar)

    @cached_property
    def config(self):  # noqa: ANN201 - ffd_core.forms.Config
        """Forms, guidance, priority rules and templates: the council's folder over the
        bundled defaults. An invalid folder stops the product with every problem named."""
        from ffd_core.forms import load_config

        return load_config(self.settings.forms_dir)

    def now(self):  # noqa: ANN201 - datetime
        return self.clock.now()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commit on success, roll everything back on any error."""
        if self._batch is not None:
            yield self._batch
            return
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run many use cases in one transaction (bulk seeding and imports): the very same
        code and rows as one at a time, without a commit per use case. All or nothing."""
        if self._batch is not None:
            raise RuntimeError("batches do not nest")
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            self._batch = session
            try:
                yield
            finally:
                self._batch = None

    def audit(self, session: Session, actor: Actor, action: str, **fields: Any) -> audit.AuditEvent:
        return audit.append(
            session,
            self.audit_key,
            at=self.now(),
            actor_id=actor.user_id,
            actor_name=actor.name,
            action=action,
            **fields,
        )

    def changed(self, session: Session, contact_id: int | None, kind: str) -> None:
        """Feed entry for live screens; PostgreSQL also wakes listeners on commit."""
        session.add(Change(contact_id=contact_id, kind=kind, at=self.now()))
        if is_postgres(session.get_bind()):
            session.execute(text("SELECT pg_notify(:channel, :payload)"),
                            {"channel": CHANGE_CHANNEL, "payload": kind})


def database_url_with_secret(url: str) -> str:
    """Add the database password from the keyring or environment, never from the file."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or parsed.password or not parsed.username:
        return url
    password = get_secret("database-password")
    if not password:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)
