"""Every page's security headers, cookies and error pages; the pages anyone may read."""

from __future__ import annotations

import re

from litestar.stores.memory import MemoryStore
from litestar.testing import TestClient

from ffd_web.app import create_app
from tests.web.conftest import TEACHER, post, sign_in

PUBLIC = ["/", "/accessibility", "/privacy", "/cookies", "/register", "/sign-in", "/password-reset"]


def test_public_pages_and_the_council_brand(client):
    for path in PUBLIC:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Brackenshire County Council" in response.text
        assert "govuk-logo" not in response.text and "crown" not in response.text.lower()
        assert "<script>" not in response.text and "style=" not in response.text  # nothing inline


def test_security_headers_on_pages_errors_and_the_api(client):
    for path in ["/", "/no-such-page", "/api/v1/contacts/FFD-1", "/home"]:
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store", path
    assert "max-age" in client.get("/static/app.css").headers["cache-control"]


def test_personal_data_pages_are_never_cached(client, web_ctx):
    sign_in(client, web_ctx)
    for path in ["/home", "/submissions", "/drafts", "/look-up"]:
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_cookies_are_httponly_and_samesite_and_host_prefixed_over_tls(web_ctx):
    app = create_app(web_ctx, base_url="https://front-door.example", session_store=MemoryStore())
    with TestClient(app, base_url="https://front-door.example") as tls:
        tls.follow_redirects = False
        tls.get("/")
        response = post(tls, "/sign-in", {"email": TEACHER, "password": "x"})
        cookies = response.headers.get_list("set-cookie") + tls.get("/sign-in").headers.get_list("set-cookie")
        assert "strict-transport-security" in tls.get("/").headers
    names = [c.split("=")[0] for c in cookies]
    assert "__Host-ffd-csrf" in names or any(n.startswith("__Host-") for n in names)
    for cookie in cookies:
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered
        assert "path=/" in lowered and "domain=" not in lowered


def test_no_state_change_on_get(client, web_ctx):
    sign_in(client, web_ctx)
    for path in ["/sign-out", "/drafts/new", "/session/extend"]:
        assert client.get(path).status_code in (404, 405), path
    assert client.get("/home").status_code == 200  # still signed in


def test_error_pages_say_what_to_do_without_internals(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.text
    assert "Traceback" not in response.text


def test_the_cookies_page_names_the_cookies_in_use(client):
    text = client.get("/cookies").text
    assert "ffd-session" in text and "ffd-csrf" in text


def test_the_emergency_number_on_the_pages_is_the_one_in_the_emails(client, web_ctx):
    """One source (council.yaml): a partner reads the same out-of-hours number on every
    page as in every email; a council's own folder changes both."""
    number = web_ctx.config.council.edt_phone
    assert number in client.get("/").text
    assert number in web_ctx.config.urgent_help_text


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_every_title_names_the_page_the_service_and_the_council_once(client, web_ctx):
    service, council = "Family Front Door", "Brackenshire County Council"
    assert _title(client.get("/").text) == f"{service} – {council}"
    assert _title(client.get("/privacy").text) == f"Privacy notice – {service} – {council}"
    sign_in(client, web_ctx)
    assert _title(client.get("/home").text) == f"{service} – {council}"
    for path in [*PUBLIC[1:], "/submissions", "/drafts", "/look-up", "/no-such-page"]:
        title = _title(client.get(path).text)
        assert title.count(service) == 1 and title.endswith(f" – {service} – {council}"), (path, title)


def test_head_is_answered_wherever_get_is(client, web_ctx):
    for path in [*PUBLIC, "/static/app.css"]:
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"], path
    assert client.head("/no-such-page").status_code == 404
    assert client.head("/home").status_code in (302, 303)  # signed out: to sign in, as GET is
    sign_in(client, web_ctx)
    for path in ["/home", "/submissions", "/drafts", "/look-up"]:
        head = client.head(path)
        assert head.status_code == 200 and head.content == b"", path
        assert head.headers["cache-control"] == "no-store", path


def test_starting_a_draft_without_saying_which_form_is_a_bad_request(client, web_ctx):
    sign_in(client, web_ctx)
    for data in ({}, {"kind": "no_such_form"}):
        response = post(client, "/drafts/new", data)
        assert response.status_code == 400, data
        assert "Say which form to start" in response.text
    assert post(client, "/drafts/new", {"kind": "cause_for_concern"}).status_code in (302, 303)
