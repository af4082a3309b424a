"""Partners' accounts on the web endpoint: register with a work email at an approved
agency's domain, sign in with a password and an emailed one-time code, reset a password.

One person is one mailbox (``mailbox_key``: case and a "+tag" do not make another person)
when counting emails sent and when asking whether an account exists; mail still goes to
the address as typed.

Nothing here says whether an email address has an account: registering an address that
has one, or resetting a password for an address that has none, looks the same on the
screen (the email itself says what happened). Links and codes are random, single use,
expire, and only their SHA-256 digests are stored. Passwords are argon2id (the
directory's hasher, with its per-account throttling).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ffd_core.domain.access import Actor, AgencyFacts, registration_refusal
from ffd_core.domain.addresses import mailbox_key
from ffd_core.domain.text import clean_name
from ffd_core.domain.vocab import Role
from ffd_core.errors import AccountDisabled, InvalidInput, PermissionDenied
from ffd_core.services import directory
from ffd_core.services.context import Context
from ffd_core.services.web_messages import enqueue_message, web_link
from ffd_core.store.tables import Agency, User
from ffd_core.store.web_tables import WebToken

REGISTER, SIGN_IN, PASSWORD_RESET = "register", "sign_in", "password_reset"
LIFETIMES = {REGISTER: timedelta(hours=24), SIGN_IN: timedelta(minutes=10),
             PASSWORD_RESET: timedelta(hours=1)}
CODE_ATTEMPTS = 5  # wrong codes before a pending sign-in is spent
SENDS_PER_WINDOW = 5  # emails of one purpose to one mailbox per window: no mail bombing
SEND_WINDOW = timedelta(minutes=15)
EMAIL = re.compile(r"^[^@\s]{1,64}@([a-z0-9-]+\.)+[a-z]{2,}$")
# The anonymous side of the web endpoint, as it appears on the audit trail.
WEB = Actor(user_id=None, name="web endpoint", role=Role.SYSTEM)
WRONG_PASSWORD = ("Enter a correct email address and password (after 5 wrong tries an "
                  "account waits 15 minutes)")
SPENT = "That {what} has expired or has already been used. {again}"
NOT_APPROVED = ("Enter your work email address: this service is for organisations the front "
                "door has approved (ask the front door to add yours)")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise InvalidInput("Enter an email address in the correct format, like name@example.com")
    return email


# ------------------------------------------------------------------------------ registering


def start_registration(ctx: Context, email: str, name: str) -> None:
    """Email a confirmation link to a work address at an approved agency's domain."""
    email = normalise_email(email)
    name = clean_name(name or "", "your full name")
    if not name:
        raise InvalidInput("Enter your full name")
    domain = email.rsplit("@", 1)[1]
    with ctx.write() as session:
        agency, refusal = registration_agency(session, domain)
        if refusal:  # listed, but not for registering: audited, answered as an unknown domain
            ctx.audit(session, WEB, "web_register_refused", data={"domain": domain,
                                                                   "why": refusal})
        elif agency is not None:
            ctx.audit(session, WEB, "web_register_requested", subject=f"agency:{agency.id}")
    if agency is None:
        raise InvalidInput(NOT_APPROVED)
    with ctx.write() as session:
        if _sent_recently(ctx, session, REGISTER, email) >= SENDS_PER_WINDOW:
            return
        if partner_by_mailbox(session, email) is not None:
            enqueue_message(ctx, session, f"web:register:known:{secrets.token_hex(8)}", email,
                            "You already have an account",
                            ["Someone asked to register this email address for "
                             f"{ctx.config.council.name}'s Family Front Door, but it already "
                             "has an account. Sign in, or reset your password if you have "
                             "forgotten it. If it was not you, you can ignore this email."],
                            web_link(ctx, "/sign-in"))
            _issue(ctx, session, REGISTER, email, None, {"notice": True}, spent=True)  # counted
            return
        token = _issue(ctx, session, REGISTER, email, None, {"name": name, "agency_id": agency.id})
        enqueue_message(ctx, session, f"web:register:{digest(token)[:32]}", email,
                        "Confirm your email address",
                        [f"Dear {name},", "Use this link within 24 hours to finish "
                         "registering for the Family Front Door. It works once."],
                        web_link(ctx, f"/register/confirm/{token}"))


def registration_for(ctx: Context, token: str) -> tuple[str, str]:
    """(email, name) of a live registration link, to show before a password is chosen."""
    with ctx.read() as session:
        row = _live(ctx, session, REGISTER, token, "link", "Register again to get a new link.")
        return row.email, row.data.get("name", "")


def complete_registration(ctx: Context, token: str, password: str) -> str:
    """Create the partner's account from a live link; returns the email address."""
    directory.check_password_strength(password)
    with ctx.write() as session:
        row = _live(ctx, session, REGISTER, token, "link", "Register again to get a new link.")
        row.used_at = ctx.now()
        agency = session.get(Agency, row.data.get("agency_id"))
        if (agency is None or not agency.active
                or registration_agency(session, row.email.rsplit("@", 1)[1])[0] is not agency):
            raise AccountDisabled("your organisation's access is disabled; ask the front door")
        if partner_by_mailbox(session, row.email) is not None:
            return row.email  # registered meanwhile (a second link): sign in as usual
        user = User(username=_free_username(session, row.email),
                    display_name=row.data.get("name") or row.email, email=row.email,
                    role=Role.PARTNER.value, agency_id=agency.id,
                    password_hash=directory.HASHER.hash(password), active=True,
                    created_at=ctx.now())
        session.add(user)
        session.flush()
        ctx.audit(session, directory.actor_for(user), "web_register", subject=f"user:{user.id}",
                  data={"agency_id": agency.id})
        return row.email


# ------------------------------------------------------------------------------ signing in


def start_sign_in(ctx: Context, email: str, password: str) -> str:
    """Check the password, email a one-time code; returns the pending sign-in's handle
    (kept in the server session, never shown). The same refusal for every failure."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        raise PermissionDenied(WRONG_PASSWORD) from None
    with ctx.read() as session:
        user = partner_by_email(session, email)
        username = user.username if user is not None else ""
    try:  # an unknown address still spends a hash, so timing does not tell
        actor = directory.authenticate(ctx, username, password or "",  # "" matches no one
                                       signs_in=False)  # not yet: the code is the second step
    except PermissionDenied:
        raise PermissionDenied(WRONG_PASSWORD) from None
    with ctx.write() as session:
        too_many = _sent_recently(ctx, session, SIGN_IN, email) >= SENDS_PER_WINDOW
        # Not a sign-in yet: that is audited when the emailed code is accepted.
        ctx.audit(session, actor, "web_password_accepted", subject=f"user:{actor.user_id}",
                  data={"via": "web", "code_sent": not too_many})
        if not too_many:
            handle = secrets.token_urlsafe(32)
            code = f"{secrets.randbelow(1_000_000):06d}"
            _issue(ctx, session, SIGN_IN, email, actor.user_id, {"code": digest(handle + code)},
                   token=handle)
            enqueue_message(ctx, session, f"web:code:{digest(handle)[:32]}", email,
                            f"Your sign-in code is {code}",
                            [f"Your code to sign in to the Family Front Door is {code}.",
                             "It works once, for 10 minutes. If you did not try to sign in, "
                             "change your password."])
    if too_many:
        raise PermissionDenied("Too many codes were sent to this address. Wait 15 minutes, "
                               "then sign in again")
    return handle


def finish_sign_in(ctx: Context, handle: str, code: str) -> Actor:
    """The emailed code for a pending sign-in: single use, 10 minutes, 5 tries."""
    again = "Sign in again to get a new code."
    problem = None
    with ctx.write() as session:
        row = _live(ctx, session, SIGN_IN, handle, "code", again)
        row.attempts += 1
        if not hmac.compare_digest(row.data.get("code", ""), digest(handle + "".join(code.split()))):
            if row.attempts >= CODE_ATTEMPTS:
                row.used_at = ctx.now()
                problem = SPENT.format(what="code", again=again)
            else:
                problem = "Enter the 6-digit code from the email we just sent you"
            user = session.get(User, row.user_id)
            ctx.audit(session, directory.actor_for(user), "web_code_failed", subject=f"user:{user.id}")
        else:
            row.used_at = ctx.now()
            actor = ctx.resolve(session, Actor(row.user_id, "", Role.PARTNER))
            ctx.audit(session, actor, "sign_in", subject=f"user:{actor.user_id}",
                      data={"via": "web"})
    if problem:
        raise InvalidInput(problem)
    return actor


def signed_in(ctx: Context, user_id: int, since: datetime) -> Actor:
    """The partner of a web session, as the store knows them now: a disabled account or
    agency, or a password reset since the session began, ends the session."""
    with ctx.read() as session:
        actor = ctx.resolve(session, Actor(user_id, "", Role.PARTNER))
        if actor.role is not Role.PARTNER:
            raise AccountDisabled("this service is for partner agencies; staff use the console")
        reset = session.execute(select(WebToken.id).where(
            WebToken.purpose == PASSWORD_RESET, WebToken.user_id == user_id,
            WebToken.used_at > since).limit(1)).first()
        if reset is not None:
            raise AccountDisabled("your password was changed; sign in again")
        return actor


def sign_out(ctx: Context, actor: Actor, *, timed_out: bool = False) -> None:
    with ctx.write() as session:
        ctx.audit(session, actor, "sign_out", subject=f"user:{actor.user_id}",
                  data={"via": "web", "timed_out": timed_out})


# ------------------------------------------------------------------------------ passwords


def request_password_reset(ctx: Context, email: str) -> None:
    """Email a reset link if the address has an account; say nothing either way."""
    email = normalise_email(email)
    with ctx.write() as session:
        user = partner_by_email(session, email)
        if user is None or not user.active:
            return
        if _sent_recently(ctx, session, PASSWORD_RESET, email) >= SENDS_PER_WINDOW:
            return
        token = _issue(ctx, session, PASSWORD_RESET, email, user.id, {})
        ctx.audit(session, directory.actor_for(user), "web_password_reset_requested",
                  subject=f"user:{user.id}")
        enqueue_message(ctx, session, f"web:reset:{digest(token)[:32]}", email,
                        "Reset your password",
                        ["Use this link within 1 hour to choose a new password for the "
                         "Family Front Door. It works once. If you did not ask, ignore this "
                         "email: your password has not changed."],
                        web_link(ctx, f"/password-reset/{token}"))


def check_reset_link(ctx: Context, token: str) -> None:
    with ctx.read() as session:
        _live(ctx, session, PASSWORD_RESET, token, "link", "Ask for a new one.")


def reset_password(ctx: Context, token: str, password: str) -> None:
    """Set a new password from a live link; every other web session of the account ends."""
    directory.check_password_strength(password)
    with ctx.write() as session:
        row = _live(ctx, session, PASSWORD_RESET, token, "link", "Ask for a new one.")
        row.used_at = ctx.now()
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise AccountDisabled("this account is disabled; ask the front door")
        user.password_hash = directory.HASHER.hash(password)
        ctx.audit(session, directory.actor_for(user), "web_password_reset",
                  subject=f"user:{user.id}")
        # Told at the account's own address, so a reset someone else made is noticed.
        enqueue_message(ctx, session, f"web:password-changed:{digest(token)[:32]}", user.email,
                        "Your password was changed",
                        ["The password for your Family Front Door account was changed just "
                         "now, and every other session of it was ended.",
                         "If you did not change it, contact the front door at once, then "
                         "reset your password again."],
                        web_link(ctx, "/password-reset"))


# ------------------------------------------------------------------------------ look-ups


def registration_agency(session: Session, domain: str) -> tuple[Agency | None, str | None]:
    """The agency a new account at this email domain joins (exact match: a subdomain is a
    different organisation until the front door says otherwise), or None and why not (None
    when no active agency lists it): the access policy's rule."""
    listing = [a for a in session.execute(select(Agency).where(Agency.active.is_(True))
                                          .order_by(Agency.id)).scalars()
               if domain in (agency_domain.lower() for agency_domain in a.email_domains or [])]
    if not listing:
        return None, None
    roles: dict[int, set[Role]] = {a.id: set() for a in listing}
    for agency_id, role in session.execute(select(User.agency_id, User.role).distinct().where(
            User.agency_id.in_(list(roles)))):
        roles[agency_id].add(Role(role))
    refusal = registration_refusal([AgencyFacts(a.id, a.name, a.kind, frozenset(roles[a.id]))
                                    for a in listing])
    return (None, refusal) if refusal else (listing[0], None)


def partner_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.email) == email, User.role == Role.PARTNER.value)
        .order_by(User.active.desc(), User.id)).scalars().first()


def partner_by_mailbox(session: Session, email: str) -> User | None:
    """A partner account at the same mailbox (``tess@`` for ``Tess+2@``): one person, one
    account."""
    return next(iter(mailbox_partners(session, email)), None)


def mailbox_partners(session: Session, email: str) -> list[User]:
    """Every partner account at this mailbox (any case or +tag), active ones first: one
    person, whatever accounts the store holds for them (some predate this rule)."""
    key = mailbox_key(email)
    return [u for u in _at_domain(session, select(User).where(
        User.role == Role.PARTNER.value).order_by(User.active.desc(), User.id), User.email, key)
        if mailbox_key(u.email or "") == key]


def _issue(ctx: Context, session: Session, purpose: str, email: str, user_id: int | None,
           data: dict, token: str | None = None, *, spent: bool = False) -> str:
    token = token or secrets.token_urlsafe(32)
    session.add(WebToken(purpose=purpose, token_hash=digest(token), email=email, user_id=user_id,
                         data=data, attempts=0, created_at=ctx.now(),
                         expires_at=ctx.now() + LIFETIMES[purpose],
                         used_at=ctx.now() if spent else None))
    return token


def _sent_recently(ctx: Context, session: Session, purpose: str, email: str) -> int:
    """Emails of one purpose sent to this mailbox (any case or +tag) in the window."""
    key = mailbox_key(email)
    return sum(1 for sent in _at_domain(session, select(WebToken.email).where(
        WebToken.purpose == purpose, WebToken.created_at >= ctx.now() - SEND_WINDOW),
        WebToken.email, key) if mailbox_key(sent) == key)


def _at_domain(session: Session, query, column, key: str):  # noqa: ANN001, ANN202
    """The rows of ``query`` whose address ``column`` is at the domain of ``key`` (the
    caller compares mailboxes: the store keeps addresses as typed)."""
    domain = key.rpartition("@")[2].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return session.execute(
        query.where(func.lower(column).like(f"%@{domain}", escape="\\"))).scalars()


def _live(ctx: Context, session: Session, purpose: str, token: str, what: str,
          again: str) -> WebToken:
    row = session.execute(select(WebToken).where(
        WebToken.token_hash == digest(token or ""), WebToken.purpose == purpose)
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= ctx.now():
        raise InvalidInput(SPENT.format(what=what, again=again))
    return row


def _free_username(session: Session, email: str) -> str:
    """An internal username for a web account (people sign in with their email)."""
    base = re.sub(r"[^a-z0-9._-]+", ".", email.replace("@", ".at."))[:50].strip(".-_") or "partner"
    candidate, n = base, 1
    while session.execute(select(User.id).where(User.username == candidate)).first():
        n += 1
        candidate = f"{base}.{n}"
    return candidate
