"""The same endpoint on a real uvicorn on loopback: pages, a sign-in and the API over TCP."""

from __future__ import annotations

import httpx

from ffd_core.services import api_keys
from ffd_core.services.context import SYSTEM
from tests.conftest import PASSWORD
from tests.web.conftest import TEACHER, last_code
from tests.web.forms_helpers import example


def test_pages_sign_in_and_api_over_tcp(live_server, web_ctx):
    with httpx.Client(base_url=live_server, follow_redirects=False) as browser:
        assert browser.get("/").status_code == 200
        token = browser.cookies["ffd-csrf"]
        assert browser.post("/sign-in", data={"email": TEACHER, "password": PASSWORD,
                                              "_csrf_token": token}).status_code == 302
        response = browser.post("/sign-in/code", data={"code": last_code(web_ctx, TEACHER),
                                                       "_csrf_token": token})
        assert response.status_code == 302
        assert "Signed in as Tess Teacher" in browser.get("/home").text
        assert "server" not in browser.get("/").headers  # uvicorn's banner is off in ffd serve
    key = api_keys.create_key(web_ctx, SYSTEM, 2, "MIS")
    response = httpx.post(f"{live_server}/api/v1/contacts", headers={"Authorization": f"Bearer {key}"},
                          json={"form": "cause_for_concern", "answers": example(web_ctx)})
    assert response.status_code == 201
