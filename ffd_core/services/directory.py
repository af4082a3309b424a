"""Agencies and users: data in the store, managed from the CLI, importable from a file."""

from __future__ import annotations

import csv
from datetime import timedelta
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ffd_core.domain.access import Action, Actor, account_refusal
from ffd_core.domain.text import clean_name
from ffd_core.domain.vocab import CIN_SOURCE_BY_AGENCY_KIND, CIN_SOURCE_CODES, AgencyKind, Role
from ffd_core.errors import InvalidInput, NotFound, PermissionDenied, WrongCredentials
from ffd_core.services.context import Context
from ffd_core.store.tables import Agency, User

# argon2id with the library's current recommended parameters (RFC 9106 low-memory profile).
HASHER = PasswordHasher()
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
MIN_PASSWORD = 12
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class AgencyInput:
    name: str
    kind: AgencyKind
    email_domains: tuple[str, ...] = ()
    cin_source_code: str | None = None


def add_agency(ctx: Context, actor: Actor, agency: AgencyInput) -> int:
    return _add_agencies(ctx, actor, [agency])[0]


def import_agencies(ctx: Context, actor: Actor, path: Path) -> list[int]:
    """CSV with columns name, kind, email_domains (space separated), cin_source_code."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.ADMINISTER)
    rows = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"name", "kind"} - set(reader.fieldnames or [])
            if missing:
                raise InvalidInput(f"{path}: the header lacks {', '.join(sorted(missing))}; "
                                   "expected name,kind,email_domains,cin_source_code")
            for line, row in enumerate(reader, start=2):
                try:
                    rows.append(AgencyInput(
                        name=clean_name(row["name"] or "", "the agency's name"),
                        kind=parse_agency_kind(row["kind"] or ""),
                        email_domains=tuple((row.get("email_domains") or "").split()),
                        cin_source_code=(row.get("cin_source_code") or None),
                    ))
                except InvalidInput as error:
                    raise InvalidInput(f"{path}, line {line}: {error}") from None
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{path} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8") from None
    return _add_agencies(ctx, actor, rows)


def parse_agency_kind(value: str) -> AgencyKind:
    try:
        return AgencyKind(value.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"unknown agency kind {value!r}; use one of: {', '.join(k.value for k in AgencyKind)}"
        ) from None


def _add_agencies(ctx: Context, actor: Actor, agencies: Iterable[AgencyInput]) -> list[int]:
    ids = []
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.ADMINISTER)
        for agency in agencies:
            name = clean_name(agency.name, "the agency's name")
            if not name:
                raise InvalidInput("an agency needs a name")
            domains = _clean_domains(name, agency.email_domains)
            _check_domains_free(session, name, domains)
            code = agency.cin_source_code or CIN_SOURCE_BY_AGENCY_KIND[agency.kind]
            if code not in CIN_SOURCE_CODES:
                raise InvalidInput(f"{name}: {code!r} is not a CIN referral source code")
            if session.execute(select(Agency.id).where(func.lower(Agency.name) == name.lower())).first():
                raise InvalidInput(f"an agency called {name!r} already exists")
            row = Agency(name=name, kind=agency.kind.value, email_domains=list(domains),
                         cin_source_code=code, active=True, created_at=ctx.now())
            session.add(row)
            session.flush()
            ctx.audit(session, actor, "agency_add", subject=f"agency:{row.id}",
                      data={"name": name, "kind": agency.kind.value})
            ids.append(row.id)
    return ids


def change_agency_domains(ctx: Context, actor: Actor, agency_id: int, *, add: Iterable[str] = (),
                          remove: Iterable[str] = ()) -> tuple[str, ...]:
    """Add and remove an agency's approved email domains (a school moving to a new domain);
    the domains it lists afterwards. Accounts already made keep their agency; who may
    register from now on follows the new list."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.ADMINISTER)
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound(f"no agency {agency_id}; see `ffd agency list`")
        adding, removing = _clean_domains(agency.name, add), _clean_domains(agency.name, remove)
        current = [d.lower() for d in agency.email_domains or []]
        absent = [d for d in removing if d not in current]
        if absent:
            raise InvalidInput(f"{agency.name} does not list {absent[0]}; it lists "
                               f"{', '.join(current) or 'no domains'}")
        _check_domains_free(session, agency.name, tuple(d for d in adding if d not in current), agency.id)
        domains = [d for d in current if d not in removing]
        domains += [d for d in adding if d not in domains]
        agency.email_domains = domains
        ctx.audit(session, actor, "agency_domains_change", subject=f"agency:{agency.id}",
                  data={"added": list(adding), "removed": list(removing), "domains": domains})
        return tuple(domains)


def _clean_domains(name: str, domains: Iterable[str]) -> tuple[str, ...]:
    """Lower case, without a leading @, each once in the order given; refused unless each is
    a domain."""
    cleaned = tuple(dict.fromkeys(d.strip().lower().lstrip("@") for d in domains))
    bad = [d for d in cleaned if not DOMAIN.match(d)]
    if bad:
        raise InvalidInput(f"{name}: {', '.join(bad)} is not an email domain "
                           "(write it like school.example.sch.uk)")
    return cleaned


def _check_domains_free(session: Session, name: str, domains: tuple[str, ...], agency_id: int | None = None) -> None:
    """A domain names one agency: people who register with an address there join it, so
    a domain two agencies list would let the wrong one's people in (registration refuses
    such a domain; this stops it being made)."""
    for other in session.execute(select(Agency).where(Agency.id != agency_id).order_by(Agency.id)).scalars():
        taken = [d for d in domains if d in {o.lower() for o in other.email_domains or []}]
        if taken:
            raise InvalidInput(
                f"{name}: the email domain {taken[0]} is already listed by {other.name!r}; "
                "people who register are placed by their domain, so give each agency its own "
                f"(e.g. a subdomain like team.{taken[0]}), or add {name}'s people with "
                "`ffd user add` instead of listing the domain")


def list_agencies(ctx: Context, actor: Actor) -> list[Agency]:
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.ADMINISTER)
        return list(session.execute(select(Agency).order_by(Agency.name)).scalars())


@dataclass(frozen=True)
class UserInput:
    username: str
    display_name: str
    role: Role
    agency_id: int
    password: str | None = None
    email: str | None = None
    team: str | None = None


def add_user(ctx: Context, actor: Actor, user: UserInput) -> int:
    if user.role is Role.SYSTEM:
        raise InvalidInput("the system role is not for people")
    username = user.username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput("a username is 2–60 lower-case letters, digits, dots, dashes or "
                           "underscores, starting with a letter or digit")
    if user.role is not Role.PARTNER and not user.password:
        raise InvalidInput("staff accounts need a password")
    if user.password is not None:
        check_password_strength(user.password)
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.ADMINISTER)
        refusal = account_refusal(actor, user.role)
        if refusal:
            raise PermissionDenied(refusal)
        agency = session.get(Agency, user.agency_id)
        if agency is None:
            raise NotFound(f"no agency with id {user.agency_id}; see `ffd agency list`")
        if session.execute(select(User.id).where(User.username == username)).first():
            raise InvalidInput(f"the username {username!r} is taken")
        row = User(username=username, display_name=clean_name(user.display_name, "the name") or username,
                   email=user.email, role=user.role.value, agency_id=agency.id,
                   team=clean_name(user.team, "the team") if user.team else None,
                   password_hash=HASHER.hash(user.password) if user.password else None,
                   active=True, created_at=ctx.now())
        session.add(row)
        session.flush()
        ctx.audit(session, actor, "user_add", subject=f"user:{row.id}",
                  data={"username": username, "role": user.role.value, "agency_id": agency.id})
        return row.id


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters; "
                           "a few unrelated words make a strong one")


def disable_user(ctx: Context, actor: Actor, username: str) -> None:
    """Stop an account at once: every service call re-checks the account, so an open
    console or web session loses access on its next action (history is kept)."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.ADMINISTER)
        user = _by_username(session, username)
        refusal = account_refusal(actor, Role(user.role))
        if refusal:
            raise PermissionDenied(refusal)
        user.active = False
        ctx.audit(session, actor, "user_disable", subject=f"user:{user.id}")


def list_users(ctx: Context, actor: Actor) -> list[User]:
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.ADMINISTER)
        return list(session.execute(select(User).order_by(User.username)).scalars())


def _by_username(session: Session, username: str) -> User:
    user = session.execute(
        select(User).where(User.username == username.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user called {username!r}; see `ffd user list`")
    return user


def authenticate(ctx: Context, username: str, password: str, *,
                 signs_in: bool = True) -> Actor:
    """Check a password; the same message whether the user or the password was wrong.
    Failed attempts are audited too (committed, not rolled back with the refusal). With
    ``signs_in`` false the password is only the first step (the web endpoint's emailed
    code follows): a right one is not audited as a sign-in, the caller records what it
    means."""
    from ffd_core.services.demo_store import demo_account_refusal

    failure = WrongCredentials("that username and password do not match an active account")
    refusal = None
    with ctx.write() as session:
        user = session.execute(
            select(User).where(User.username == username.strip().lower())
        ).scalar_one_or_none()
        if user is not None and _recent_failures(ctx, session, user.id) >= LOCKOUT_FAILURES:
            # Guessing is throttled per account; the refusal itself is audited too.
            ctx.audit(session, actor_for(user), "sign_in_refused", subject=f"user:{user.id}")
            locked = True
        else:
            locked = False
        if locked or user is None or not user.password_hash:
            HASHER.hash(password)  # spend the same time, so timing does not reveal usernames
            ok = False
        else:
            try:
                ok = HASHER.verify(user.password_hash, password) and user.active
            except (VerificationError, InvalidHashError):
                ok = False
        if user is not None:
            if ok and (refusal := demo_account_refusal(ctx, session, user)):
                ok = False
            if ok and HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = HASHER.hash(password)
            if signs_in or not ok:
                ctx.audit(session, actor_for(user), "sign_in" if ok else "sign_in_failed",
                          subject=f"user:{user.id}")
    if locked:
        raise PermissionDenied(f"too many failed sign-ins for this account; wait "
                               f"{LOCKOUT_WINDOW.seconds // 60} minutes or ask an administrator")
    if refusal:
        raise PermissionDenied(refusal)
    if not ok:
        raise failure
    return actor_for(user)


def _recent_failures(ctx: Context, session: Session, user_id: int) -> int:
    from ffd_core.store.tables import AuditEvent

    return session.execute(select(func.count(AuditEvent.seq)).where(
        AuditEvent.subject == f"user:{user_id}", AuditEvent.action == "sign_in_failed",
        AuditEvent.at >= ctx.now() - LOCKOUT_WINDOW)).scalar_one()


def actor_for(user: User) -> Actor:
    """Who a signed-in person acts as (services re-read their account and agency on every
    call: see Context.resolve)."""
    return Actor(user_id=user.id, name=user.display_name, role=Role(user.role),
                 agency_id=user.agency_id, username=user.username)


def allocatable_staff(ctx: Context) -> list[tuple[int, str]]:
    """(id, name) of the active people a supervisor may give contacts to."""
    with ctx.read() as session:
        return [(u.id, u.display_name) for u in session.execute(
            select(User).where(User.active.is_(True), User.role.in_(
                [Role.SCREENING_OFFICER.value, Role.SUPERVISOR.value])).order_by(User.display_name)
        ).scalars()]


def actor_by_username(ctx: Context, username: str) -> Actor:
    with ctx.read() as session:
        user = _by_username(session, username)
        if not user.active:
            raise PermissionDenied(f"{username} is disabled")
        return actor_for(user)
