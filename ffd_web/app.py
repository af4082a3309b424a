"""The web endpoint: server-rendered pages for partners and the JSON API for their systems.

Litestar supplies the server-side sessions, CSRF protection (a hidden form field, so every
form works without JavaScript), rate limiting, request size limits and the OpenAPI
document; uvicorn serves it (`ffd serve`). Routes call services and render what they
return: no route decides a right.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import replace
from pathlib import Path

from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.base import Store
from litestar.template.config import TemplateConfig
from litestar.types import Message, Receive, Scope, Send

from ffd_core.errors import FFDError, NotFound, PermissionDenied
from ffd_core.services.context import Context
from ffd_core.settings import data_dir
from ffd_web import accounts, api, lookup, referrals, referral_forms
from ffd_web.inputs import refuse_malformed
from ffd_web.limits import STORES
from ffd_web.rendering import SERVICE, page, template_engine
from ffd_web.security import SignInRequired, security_headers, sign_in_url
from ffd_web.sessions import SessionConfig

STATIC = Path(__file__).parent / "static"
MB = 1024 * 1024
log = logging.getLogger("ffd_web")


@get("/", include_in_schema=False)
async def start(request: Request) -> Template:
    return page(request, "start.html", title=SERVICE)


@get("/accessibility", include_in_schema=False)
async def accessibility(request: Request) -> Template:
    return page(request, "accessibility.html", title="Accessibility statement")


@get("/privacy", include_in_schema=False)
async def privacy(request: Request) -> Template:
    return page(request, "privacy.html", title="Privacy notice")


@get("/cookies", include_in_schema=False)
async def cookies(request: Request) -> Template:
    config = request.app.state.cookie_names
    return page(request, "cookies.html", title="Cookies", session_cookie=config[0],
                csrf_cookie=config[1])


def create_app(ctx: Context, *, base_url: str, secure: bool | None = None,
               session_store: Store | None = None, requests_per_minute: int = 600) -> Litestar:
    """The app for one store. ``base_url`` is where emailed links point (the
    ``web_base_url`` setting wins when set); cookies are ``Secure`` and ``__Host-``
    prefixed when it is https. ``requests_per_minute`` is the overall limit per client
    address (benchmarks raise it: all their clients share one address)."""
    base_url = ctx.settings.web_base_url or base_url.rstrip("/")
    ctx.settings = replace(ctx.settings, web_base_url=base_url)
    secure = base_url.startswith("https://") if secure is None else secure
    prefix = "__Host-" if secure else ""
    session_cookie, csrf_cookie = f"{prefix}ffd-session", f"{prefix}ffd-csrf"
    sessions = SessionConfig(key=session_cookie, secure=secure, httponly=True, samesite="lax",
                             max_age=ctx.settings.web_session_hours * 3600,
                             exclude=["^/api/", "^/static/"])
    csrf = CSRFConfig(secret=_derived_secret(ctx, b"ffd web csrf v1"), cookie_name=csrf_cookie,
                      cookie_secure=secure, cookie_httponly=True, cookie_samesite="lax",
                      exclude=["^/api/"])
    everyone = RateLimitConfig(rate_limit=("minute", requests_per_minute), store="rate_all",
                               exclude=["^/static/"], set_rate_limit_headers=False)
    stores: dict[str, Store] = {name: MemoryStore() for name in [*STORES, "rate_all"]}
    stores["sessions"] = session_store or FileStore(_private(data_dir() / "web-sessions"),
                                                    create_directories=True)

    app = WebApp(
        route_handlers=[start, accessibility, privacy, cookies, accounts.router,
                        *referral_forms.routers(ctx.settings), *referrals.routers(ctx.settings),
                        lookup.router, api.router,
                        create_static_files_router(path="/static", directories=[STATIC],
                                                   include_in_schema=False)],
        middleware=[everyone.middleware, sessions.middleware],
        before_send=[security_headers(secure)],
        before_request=refuse_malformed,
        csrf_config=csrf,
        stores=stores,
        template_config=TemplateConfig(instance=template_engine()),
        openapi_config=OpenAPIConfig(
            title="Family Front Door partner API", version="1.0.0", path="/api/schema",
            render_plugins=[JsonRenderPlugin()],
            description="Submit contacts from a partner's system and see their status. "
                        "Authenticate with `Authorization: Bearer <API key>`.",
            components=Components(security_schemes={"apiKey": SecurityScheme(
                type="http", scheme="bearer", description="An agency's API key")}),
        ),
        exception_handlers={SignInRequired: _sign_in, HTTPException: _http_problem,
                            FFDError: _product_problem, Exception: _unexpected},
        request_max_body_size=MB,
        debug=False,
    )
    app.state.ctx = ctx
    app.state.cookie_names = (session_cookie, csrf_cookie)
    return app


class WebApp(Litestar):
    """The app, answering HEAD wherever it answers GET (link checkers, uptime monitors and
    proxies ask with HEAD; Litestar routes HEAD only to handlers declared for it). A HEAD
    request runs as the GET it stands for, with the same status and headers (Content-Length
    included) and no body."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await super().__call__(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await super().__call__({**scope, "method": "GET"}, receive, headers_only)


def _derived_secret(ctx: Context, label: bytes) -> str:
    """A stable secret for this store's web endpoint, derived from the audit key (kept
    outside the database, the same on every worker) under its own label."""
    return hmac.new(ctx.audit_key, label, hashlib.sha256).hexdigest()


def _private(path: Path) -> Path:
    """Session files say who is signed in: readable by this account only, like the store."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


# ------------------------------------------------------------------------------ errors


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _sign_in(request: Request, error: SignInRequired) -> Response:
    if _is_api(request):
        return api.problem(401, "the API key is missing, wrong or revoked")
    if error.message:
        request.set_session({"notice": error.message})
    return Redirect(sign_in_url(error.next_path))


def _http_problem(request: Request, error: HTTPException) -> Response:
    status = error.status_code
    if _is_api(request):
        return api.problem(status, str(error.detail))
    if isinstance(error, PermissionDeniedException) and "CSRF" in str(error.detail):
        return page(request, "error.html", status=403, title="Your form could not be sent",
                    paragraphs=["This can happen if the page was open for a long time or in "
                                "another window. Go back, reload the page and try again: "
                                "nothing was changed."], back="/home", back_text="Go to your home page")
    titles = {404: "Page not found", 413: "The file is too large", 429: "Too many attempts",
              405: "Page not found"}
    words = {400: ["Something in the web address or the form could not be used. Go back and "
                   "try again."],
             404: ["If you typed the web address, check it is correct."],
             413: ["What you sent is larger than this service accepts. Send smaller files."],
             429: ["You have tried that too many times. Wait a minute, then try again."]}
    return page(request, "error.html", status=status, title=titles.get(status, "Sorry, there is a problem"),
                paragraphs=words.get(status, ["Try again later."]))


def _product_problem(request: Request, error: FFDError) -> Response:
    if isinstance(error, NotFound):
        status, title = 404, "Page not found"
    elif isinstance(error, PermissionDenied):
        status, title = 403, "You cannot see this page"
    else:
        status, title = 400, "Sorry, there is a problem"
    if _is_api(request):
        return api.problem(status, str(error))
    return page(request, "error.html", status=status, title=title, paragraphs=[str(error)],
                back="/home", back_text="Go to your home page")


def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    if _is_api(request):
        return api.problem(500, "something went wrong on our side; nothing was stored twice, "
                                "so it is safe to retry with the same Idempotency-Key")
    return page(request, "error.html", status=500, title="Sorry, there is a problem with the service",
                paragraphs=["Try again later. What you had saved is safe."])

