"""Registering, signing in with a password and an emailed code, signing out, timeouts,
disabled accounts and password resets: over HTTP, with the attacks each invites."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ffd_core.services import directory
from ffd_core.services.context import SYSTEM
from ffd_core.store.tables import User
from tests.conftest import PASSWORD
from tests.web.conftest import TEACHER, csrf, emails, last_code, last_link, post, sign_in

NEW = "nina.nurse@hawthorn.sch.example"
NEW_PASSWORD = "a long new password here"


def register(client, ctx, email=NEW, name="Nina Nurse"):  # noqa: ANN001, ANN201
    response = post(client, "/register", {"email": email, "name": name})
    assert response.status_code == 200
    return response


def test_register_confirm_and_sign_in(client, web_ctx):
    register(client, web_ctx)
    path = last_link(web_ctx, NEW, "/register/confirm/")
    assert "Choose a password" in client.get(path).text
    done = post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "Your account is ready" in done.text
    sign_in(client, web_ctx, NEW, NEW_PASSWORD)
    assert "Signed in as Nina Nurse" in client.get("/home").text
    with web_ctx.read() as session:
        user = session.execute(select(User).where(User.email == NEW)).scalar_one()
    assert user.role == "partner" and user.agency.name == "Hawthorn Primary School"
    assert user.password_hash.startswith("$argon2id$")


def test_only_approved_domains_may_register(client, web_ctx):
    response = register(client, web_ctx, "someone@gmail.example")
    assert response.text.count("Enter your work email address") == 2  # summary and inline
    assert "<title>Error: " in response.text
    assert emails(web_ctx, "someone@gmail.example") == []


def test_the_councils_own_domain_is_answered_like_an_unknown_one(client, web_ctx):
    response = register(client, web_ctx, "new.starter@brackenshire.gov.example", "New Starter")
    assert response.text.count("Enter your work email address") == 2
    assert emails(web_ctx, "new.starter@brackenshire.gov.example") == []


def test_a_tagged_or_capitalised_address_is_the_account_it_belongs_to(client, web_ctx):
    assert "Check your email" in register(client, web_ctx, "Tess+referrals@Hawthorn.sch.example").text
    [mail] = emails(web_ctx, "tess+referrals@hawthorn.sch.example")  # where it was typed
    assert mail["subject"] == "You already have an account"


def test_a_confirmation_link_works_once_and_expires(client, web_ctx, clock):
    register(client, web_ctx)
    path = last_link(web_ctx, NEW, "/register/confirm/")
    post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert again.status_code == 400 and "already been used" in again.text
    register(client, web_ctx, "late@hawthorn.sch.example")
    late = last_link(web_ctx, "late@hawthorn.sch.example", "/register/confirm/")
    clock.advance(hours=24, minutes=1)
    assert client.get(late).status_code == 400
    assert client.get("/register/confirm/guessed-token").status_code == 400


def test_registering_an_existing_address_tells_only_its_owner(client, web_ctx):
    response = register(client, web_ctx, TEACHER, "Someone Else")
    assert "Check your email" in response.text  # the same page as for a new address
    mail = emails(web_ctx, TEACHER)[-1]
    assert mail["subject"] == "You already have an account" and "/register/confirm/" not in mail["text"]


def test_sign_in_needs_the_code_and_the_code_works_once(client, other_client, web_ctx):
    assert post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD}).status_code == 302
    code = last_code(web_ctx, TEACHER)
    assert client.get("/home").status_code == 302  # a password alone does not sign in
    assert post(client, "/sign-in/code", {"code": code}).status_code == 302
    assert client.get("/home").status_code == 200
    # The same code in another browser (with its own pending sign-in) is refused.
    post(other_client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    refused = post(other_client, "/sign-in/code", {"code": code})
    assert refused.status_code == 200 and "Enter the 6-digit code" in refused.text
    assert other_client.get("/home").status_code == 302


def test_a_code_expires_after_ten_minutes_and_after_five_wrong_tries(client, web_ctx, clock):
    post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    code = last_code(web_ctx, TEACHER)
    clock.advance(minutes=10, seconds=1)
    assert "has expired" in post(client, "/sign-in/code", {"code": code}).text
    post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    code = last_code(web_ctx, TEACHER)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        post(client, "/sign-in/code", {"code": wrong})
    assert "has expired or has already been used" in post(client, "/sign-in/code", {"code": code}).text
    assert client.get("/home").status_code == 302


def test_wrong_password_and_unknown_address_look_the_same(client, web_ctx):
    wrong = post(client, "/sign-in", {"email": TEACHER, "password": "not the password"})
    unknown = post(client, "/sign-in", {"email": "nobody@hawthorn.sch.example", "password": "x"})
    staff = post(client, "/sign-in", {"email": "olivia@brackenshire.gov.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == staff.status_code == 200
    message = "Enter a correct email address and password"
    assert message in wrong.text and message in unknown.text and message in staff.text
    assert [m for m in emails(web_ctx) if "sign-in code" in m.get("subject", "")] == []


def test_sign_in_is_rate_limited_per_address(client):
    statuses = [post(client, "/sign-in", {"email": "x@hawthorn.sch.example", "password": "x"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_the_session_id_changes_at_sign_in(client, web_ctx):
    post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    before = client.cookies.get("ffd-session")
    post(client, "/sign-in/code", {"code": last_code(web_ctx, TEACHER)})
    after = client.cookies.get("ffd-session")
    assert before and after and before != after
    client.cookies.set("ffd-session", before)  # a planted (fixated) id is worth nothing
    assert client.get("/home").status_code == 302


def test_sign_out_ends_the_server_session(client, web_ctx):
    sign_in(client, web_ctx)
    stolen = client.cookies.get("ffd-session")
    assert "You have signed out" in post(client, "/sign-out").text
    client.cookies.set("ffd-session", stolen)
    assert client.get("/home").status_code == 302


def test_idle_and_absolute_timeouts(client, web_ctx, clock):
    sign_in(client, web_ctx)
    clock.advance(minutes=19)
    assert client.get("/home").status_code == 200  # activity keeps the session alive ...
    clock.advance(minutes=19)
    assert client.get("/home").status_code == 200
    clock.advance(minutes=21)  # ... until 20 idle minutes
    response = client.get("/home")
    assert response.status_code == 302 and response.headers["location"].startswith("/sign-in")
    assert "had not done anything for a while" in client.get(response.headers["location"]).text
    sign_in(client, web_ctx)
    for _ in range(8 * 4 + 1):  # busy all day: the absolute limit still ends it after 8 hours
        clock.advance(minutes=15)
        last = client.get("/home").status_code
    assert last == 302


def test_the_warning_before_the_idle_timeout_can_extend_the_session(client, web_ctx, clock):
    sign_in(client, web_ctx)
    page = client.get("/home").text
    assert 'id="timeout-warning"' in page and 'action="/session/extend"' in page
    clock.advance(minutes=19)
    assert post(client, "/session/extend", {"return_to": "/drafts"}).headers["location"] == "/drafts"
    clock.advance(minutes=19)
    assert client.get("/home").status_code == 200


def test_disabling_an_account_ends_its_sessions_at_once(client, web_ctx):
    sign_in(client, web_ctx)
    assert client.get("/home").status_code == 200
    directory.disable_user(web_ctx, SYSTEM, "teacher")
    response = client.get("/home")
    assert response.status_code == 302
    assert "this account is disabled" in client.get(response.headers["location"]).text


def test_password_reset_link_works_once_and_ends_other_sessions(client, other_client, web_ctx,
                                                                 clock):
    sign_in(other_client, web_ctx)
    clock.advance(minutes=1)
    assert "If this address has an account" in post(client, "/password-reset", {"email": TEACHER}).text
    path = last_link(web_ctx, TEACHER, "/password-reset/")
    assert "Choose a new password" in client.get(path).text
    assert "has been changed" in post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).text
    assert post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 400
    assert other_client.get("/home").status_code == 302  # signed out everywhere
    [told] = [m for m in emails(web_ctx, TEACHER) if m["subject"] == "Your password was changed"]
    assert "If you did not change it, contact the front door" in told["text"]
    sign_in(client, web_ctx, TEACHER, NEW_PASSWORD)
    assert client.get("/home").status_code == 200


def test_password_reset_for_an_unknown_address_says_the_same(client, web_ctx):
    response = post(client, "/password-reset", {"email": "nobody@hawthorn.sch.example"})
    assert "If this address has an account" in response.text
    assert emails(web_ctx, "nobody@hawthorn.sch.example") == []


@pytest.mark.parametrize("token", [None, "", "forged" * 12])
def test_forms_without_the_right_csrf_token_change_nothing(client, web_ctx, token):
    csrf(client)
    data = {"email": NEW, "name": "Nina"} | ({"_csrf_token": token} if token is not None else {})
    response = client.post("/register", data=data)
    assert response.status_code == 403 and "could not be sent" in response.text
    assert emails(web_ctx, NEW) == []


def test_a_token_from_another_browser_is_refused(client, other_client, web_ctx):
    sign_in(client, web_ctx)
    theirs = csrf(other_client)
    response = client.post("/drafts/new", data={"kind": "cause_for_concern", "_csrf_token": theirs[:64] + "0" * 64})
    assert response.status_code == 403


def test_next_after_sign_in_stays_on_this_site(client, web_ctx):
    post(client, "/sign-in?next_path=//evil.example/x", {"email": TEACHER, "password": PASSWORD})
    response = post(client, "/sign-in/code?next_path=//evil.example/x", {"code": last_code(web_ctx, TEACHER)})
    assert response.headers["location"] == "/home"
