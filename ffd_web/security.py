"""Headers every response carries, and who is signed in (checked against the store on every
request: a disabled account, a reset password or a timed-out session ends there)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from ffd_core.domain.access import Actor
from ffd_core.errors import AccountDisabled
from ffd_core.services import web_accounts
from ffd_core.services.context import Context

# No inline script or style anywhere: everything comes from /static.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",  # links in emails carry secrets in their path
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def security_headers(secure: bool):  # noqa: ANN201 - a Litestar before_send hook
    """The headers above on every response (error pages and unmatched paths included), and
    ``Cache-Control: no-store`` on everything but the stylesheet and script."""

    async def hook(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in HEADERS.items():
            headers[name] = value
        static = scope["path"].startswith("/static/")
        headers["cache-control"] = "public, max-age=3600" if static else "no-store"
        if secure:
            headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    return hook


class SignInRequired(Exception):
    def __init__(self, next_path: str = "/", message: str = "") -> None:
        self.next_path = next_path
        self.message = message


def session_data(request: Request) -> dict[str, Any]:
    """The session's data, or {} when there is none (or it was just cleared)."""
    data = request.scope.get("session")
    return data if isinstance(data, dict) else {}


def ctx_of(request: Request) -> Context:
    return request.app.state.ctx


def local_path(value: str | None, default: str = "/home") -> str:
    """Where to go after signing in: a path on this site only (never //elsewhere)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def start_session(request: Request, actor: Actor) -> None:
    from ffd_web.sessions import renew_id

    now = ctx_of(request).now().isoformat()
    session: dict[str, Any] = {"user_id": actor.user_id, "name": actor.name,
                               "signed_in_at": now, "last_seen": now}
    renew_id(session)
    request.set_session(session)


def current_partner(request: Request) -> Actor:
    """Dependency for every signed-in page. Idle and absolute timeouts come from settings."""
    ctx = ctx_of(request)
    session = session_data(request)
    user_id = session.get("user_id")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not user_id:
        raise SignInRequired(here)
    now = ctx.now()
    settings = ctx.settings
    started = datetime.fromisoformat(session["signed_in_at"])
    idle = now - datetime.fromisoformat(session["last_seen"])
    if idle > timedelta(minutes=settings.web_idle_minutes) or \
            now - started > timedelta(hours=settings.web_session_hours):
        request.clear_session()
        raise SignInRequired(here, "You were signed out because you had not done anything for "
                             "a while. Sign in again to carry on; your answers were saved.")
    try:
        actor = web_accounts.signed_in(ctx, int(user_id), started)
    except AccountDisabled as error:
        request.clear_session()
        raise SignInRequired("/home", str(error)) from None
    session["last_seen"] = now.isoformat()
    request.set_session(session)
    return actor


def sign_in_url(next_path: str) -> str:
    return "/sign-in?next_path=" + quote(local_path(next_path), safe="/")
