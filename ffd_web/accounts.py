"""Register, sign in (password, then the emailed code), sign out, reset a password, stay
signed in. Every answer that could tell whether an address has an account is the same
either way; rate limits per address sit on each form that sends email or checks a secret."""

from __future__ import annotations

from litestar import Request, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from ffd_core.domain.access import Actor
from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.services import web_accounts
from ffd_web.limits import per_address
from ffd_web.rendering import page
from ffd_web.security import ctx_of, session_data, current_partner, local_path, start_session

SENT = ["If this address can register, we have sent it a link. It works once, "
        "within 24 hours.", "Not received it after a few minutes? Check your junk folder, "
        "or register again."]


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


@get("/register")
async def register_form(request: Request) -> Template:
    return page(request, "register.html", title="Create an account", form={})


@post("/register", middleware=[per_address("register", 10)])
async def register(request: Request) -> Template:
    form = await _form(request)
    ctx = ctx_of(request)
    try:
        await _in_thread(web_accounts.start_registration, ctx, form.get("email", ""), form.get("name", ""))
    except InvalidInput as error:
        field = "name" if "name" in str(error) else "email"
        return page(request, "register.html", title="Create an account", form=form,
                    errors=[(field, str(error))])
    return page(request, "message.html", title="Check your email", paragraphs=SENT)


@get("/register/confirm/{token:str}")
async def confirm_form(request: Request, token: FromPath[str]) -> Template:
    try:
        email, _ = await _in_thread(web_accounts.registration_for, ctx_of(request), token)
    except InvalidInput as error:
        return _link_problem(request, str(error), "/register", "Register again")
    return page(request, "password.html", title="Choose a password", email=email,
                action=f"/register/confirm/{token}", button_text="Create account")


@post("/register/confirm/{token:str}", middleware=[per_address("confirm", 10)])
async def confirm(request: Request, token: FromPath[str]) -> Template:
    return await _choose_password(
        request, token, web_accounts.complete_registration, "Choose a password",
        "Create account", ("/register", "Register again"),
        done=("Your account is ready", ["Sign in with your work email address and the password "
                                        "you chose. We will email you a code each time you sign in."]))


@get("/sign-in")
async def sign_in_form(request: Request, next_path: FromQuery[str] = "/home") -> Template:
    banner = session_data(request).pop("notice", None)
    return page(request, "sign_in.html", title="Sign in", form={}, next_path=local_path(next_path),
                banner=banner)


@post("/sign-in", middleware=[per_address("sign_in", 10)])
async def sign_in(request: Request, next_path: FromQuery[str] = "/home") -> Template | Redirect:
    form = await _form(request)
    try:
        handle = await _in_thread(web_accounts.start_sign_in, ctx_of(request),
                                  form.get("email", ""), form.get("password", ""))
    except PermissionDenied as error:
        return page(request, "sign_in.html", title="Sign in", form={"email": form.get("email", "")},
                    next_path=local_path(next_path), errors=[("email", str(error))])
    request.set_session({"pending": handle})
    return Redirect(f"/sign-in/code?next_path={local_path(next_path)}")


@get("/sign-in/code")
async def code_form(request: Request, next_path: FromQuery[str] = "/home") -> Template | Redirect:
    if not (session_data(request)).get("pending"):
        return Redirect("/sign-in")
    return page(request, "sign_in_code.html", title="Check your email", next_path=local_path(next_path))


@post("/sign-in/code", middleware=[per_address("code", 10)])
async def code(request: Request, next_path: FromQuery[str] = "/home") -> Template | Redirect:
    form = await _form(request)
    handle = (session_data(request)).get("pending", "")
    try:
        actor = await _in_thread(web_accounts.finish_sign_in, ctx_of(request), handle,
                                 form.get("code", ""))
    except (InvalidInput, PermissionDenied) as error:
        return page(request, "sign_in_code.html", title="Check your email",
                    next_path=local_path(next_path), errors=[("code", str(error))])
    start_session(request, actor)
    return Redirect(local_path(next_path))


@post("/sign-out", dependencies={"partner": Provide(current_partner, sync_to_thread=True)})
async def sign_out(request: Request, partner: NamedDependency[Actor]) -> Template:
    await _in_thread(web_accounts.sign_out, ctx_of(request), partner)
    request.clear_session()
    return page(request, "message.html", title="You have signed out",
                paragraphs=["Close the browser window if you are using a shared computer."],
                link=("/sign-in", "Sign in again"), signed_in=False)


@post("/session/extend", dependencies={"partner": Provide(current_partner, sync_to_thread=True)})
async def extend(request: Request, partner: NamedDependency[Actor]) -> Redirect:
    """Staying signed in is any request; this one just goes back to where the person was."""
    return Redirect(local_path((await _form(request)).get("return_to"), "/home"))


@get("/password-reset")
async def reset_request_form(request: Request) -> Template:
    return page(request, "email_form.html", title="Reset your password", form={})


@post("/password-reset", middleware=[per_address("reset", 10)])
async def reset_request(request: Request) -> Template:
    form = await _form(request)
    try:
        await _in_thread(web_accounts.request_password_reset, ctx_of(request), form.get("email", ""))
    except InvalidInput as error:
        return page(request, "email_form.html", title="Reset your password", form=form,
                    errors=[("email", str(error))])
    return page(request, "message.html", title="Check your email",
                paragraphs=["If this address has an account, we have sent it a link to reset "
                            "the password. It works once, within 1 hour."])


@get("/password-reset/{token:str}")
async def reset_form(request: Request, token: FromPath[str]) -> Template:
    try:
        await _in_thread(web_accounts.check_reset_link, ctx_of(request), token)
    except InvalidInput as error:
        return _link_problem(request, str(error), "/password-reset", "Ask for a new link")
    return page(request, "password.html", title="Choose a new password",
                action=f"/password-reset/{token}", button_text="Save password")


@post("/password-reset/{token:str}", middleware=[per_address("reset_form", 10)])
async def reset(request: Request, token: FromPath[str]) -> Template:
    return await _choose_password(
        request, token, web_accounts.reset_password, "Choose a new password", "Save password",
        ("/password-reset", "Ask for a new link"),
        done=("Your password has been changed", ["You have been signed out everywhere. Sign in "
                                                 "with your new password."]))


async def _choose_password(request: Request, token: str, use_case, title: str, button: str,  # noqa: ANN001
                           again: tuple[str, str], done: tuple[str, list[str]]) -> Template:
    """A password chosen from an emailed link (registering, or resetting)."""
    form = await _form(request)
    action = request.url.path
    problem = _password_problem(form)
    if problem:
        return page(request, "password.html", title=title, errors=[problem], action=action,
                    button_text=button)
    try:
        await _in_thread(use_case, ctx_of(request), token, form["password"])
    except InvalidInput as error:
        if "password" in str(error):
            return page(request, "password.html", title=title, errors=[("password", str(error))],
                        action=action, button_text=button)
        return _link_problem(request, str(error), *again)
    except PermissionDenied as error:
        return _link_problem(request, str(error), "/", "Go to the start page")
    request.clear_session()
    return page(request, "message.html", title=done[0], paragraphs=done[1],
                link=("/sign-in", "Sign in"), signed_in=False)


def _password_problem(form: dict[str, str]) -> tuple[str, str] | None:
    if not form.get("password"):
        return ("password", "Enter a password")
    if form.get("password") != form.get("confirm"):
        return ("confirm", "The passwords do not match; type the same password twice")
    return None


def _link_problem(request: Request, message: str, again: str, again_text: str) -> Template:
    return page(request, "error.html", status=400, title="That link does not work",
                paragraphs=[message], back=again, back_text=again_text)


async def _in_thread(function, *args):  # noqa: ANN001, ANN202
    """Services are synchronous (a database transaction each): run them off the event loop."""
    from litestar.concurrency import sync_to_thread

    return await sync_to_thread(function, *args)


router = Router(path="/", route_handlers=[
    register_form, register, confirm_form, confirm, sign_in_form, sign_in, code_form, code,
    sign_out, extend, reset_request_form, reset_request, reset_form, reset,
], include_in_schema=False)
