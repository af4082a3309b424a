"""Malformed requests are refused with a clear 400 (404 for an id no row can have, 422
naming the field in an API body), never a 500, on both backends alike; and the server log
never holds what was sent (it may be about a child)."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from ffd_core.services import contacts
from ffd_core.store.tables import Contact
from ffd_core.store.web_tables import WebDraft
from tests.conftest import PASSWORD
from tests.factories import new_contact
from tests.web.conftest import TEACHER, post, sign_in
from tests.web.forms_helpers import example, start_draft
from tests.web.test_api import POLICE, bearer, key  # noqa: F401 - a fixture

MARKER = "Zebedee"  # stands for personal data: it must not reach the log


@pytest.fixture
def log(caplog):  # noqa: ANN001, ANN201
    """Everything logged while the request runs, from every logger."""
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_quiet(log) -> None:  # noqa: ANN001
    """Nothing the server logged holds what was sent, and nothing failed (the test's own
    HTTP client, httpx, logs the addresses it asked for: not the server's log)."""
    server = [r for r in log.records if not r.name.startswith("httpx")]
    assert not [r for r in server if MARKER in log.handler.format(r)]
    assert not [r for r in server if r.levelno >= logging.ERROR], log.text


# ------------------------------------------------------------------------------ numbers


def test_a_page_number_too_large_for_the_database_is_a_400(client, web_ctx, log):
    sign_in(client, web_ctx)
    response = client.get("/submissions?page_number=99999999999999999999")
    assert response.status_code == 400 and "There is no such page" in response.text
    assert client.get("/submissions?page_number=2").status_code == 200  # past the end: empty
    assert_quiet(log)


def test_an_id_too_large_for_the_database_is_not_found(client, web_ctx, people, log):
    reference = contacts.submit(web_ctx, people["teacher"], new_contact(web_ctx.now())).reference
    sign_in(client, web_ctx)
    response = client.get(f"/submissions/{reference}/documents/99999999999999999999")
    assert response.status_code == 404
    assert_quiet(log)


# ------------------------------------------------------------------------------ nesting


@pytest.mark.parametrize("depth", [100_000, 40])
def test_a_deeply_nested_api_body_is_a_400_and_an_ordinary_one_is_taken(client, web_ctx, key,  # noqa: F811
                                                                        depth, log):
    body = '{"form": "cause_for_concern", "answers": {"x": ' + "[" * depth + "]" * depth + "}}"
    response = client.post("/api/v1/contacts", content=body.encode(),
                           headers=bearer(key) | {"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert "nested more than 32 levels deep" in response.json()["detail"]
    assert_quiet(log)
    ordinary = client.post("/api/v1/contacts", json={"form": "cause_for_concern",
                                                     "answers": example(web_ctx, email=POLICE)},
                           headers=bearer(key))
    assert ordinary.status_code == 201, ordinary.text


# ------------------------------------------------------------------------------ NUL


def test_a_nul_in_an_api_answer_is_a_422_naming_the_field(client, web_ctx, key, log):  # noqa: F811
    answers = example(web_ctx, email=POLICE)
    answers["children"][0]["first_name"] = f"{MARKER}\x00"
    response = client.post("/api/v1/contacts", json={"form": "cause_for_concern",
                                                     "answers": answers}, headers=bearer(key))
    assert response.status_code == 422, response.text
    [problem] = response.json()["errors"]
    assert problem["field"] == "children[0].first_name" and "U+0000" in problem["message"]
    with web_ctx.read() as session:
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 0
    assert_quiet(log)


@pytest.mark.parametrize("path, fields", [
    ("/sign-in", {"email": f"{MARKER}\x00@hawthorn.sch.example", "password": PASSWORD}),
    ("/password-reset", {"email": f"tess\x00{MARKER}@hawthorn.sch.example"}),
    ("/register", {"email": f"{MARKER}\x00@hawthorn.sch.example", "name": "Zeb"}),
], ids=["sign-in", "reset", "register"])
def test_a_nul_in_a_signed_out_form_is_a_400(client, web_ctx, path, fields, log):
    response = post(client, path, fields)
    assert response.status_code == 400
    assert "contains U+0000" in response.text and "‘email’" in response.text
    assert_quiet(log)


def test_a_nul_in_a_referral_form_is_a_400_and_nothing_is_saved(client, web_ctx, log):
    sign_in(client, web_ctx)
    key = start_draft(client)
    post(client, f"/drafts/{key}/concern", {"category": "neglect", "action": "continue"})
    with web_ctx.read() as session:
        before = session.execute(select(WebDraft.answers)).scalar_one()
    response = post(client, f"/drafts/{key}/children", {
        "children[0].first_name": f"{MARKER}\x00", "action": "save"})
    assert response.status_code == 400 and "U+0000" in response.text
    assert "children[0].first_name" in response.text
    with web_ctx.read() as session:
        assert session.execute(select(WebDraft.answers)).scalar_one() == before
    assert_quiet(log)


def test_a_nul_in_an_answer_to_a_request_for_information_is_a_400(client, web_ctx, people, log):
    reference = contacts.submit(web_ctx, people["teacher"], new_contact(web_ctx.now())).reference
    sign_in(client, web_ctx)
    response = post(client, f"/submissions/{reference}/reply", {"message": f"{MARKER}\x00"})
    assert response.status_code == 400 and "U+0000" in response.text
    assert_quiet(log)


def test_a_nul_in_the_address_is_a_400(client, web_ctx, log):
    assert client.get("/sign-in?next_path=/home%00").status_code == 400
    sign_in(client, web_ctx)
    response = client.get(f"/submissions/FFD-{MARKER}%00")
    assert response.status_code == 400 and "the web address" in response.text
    assert_quiet(log)


def test_other_control_characters_are_refused_but_line_breaks_are_kept(client, web_ctx, key,  # noqa: F811
                                                                       log):
    answers = example(web_ctx, email=POLICE)
    answers["children"][0]["first_name"] = "Amy\x1b[2J"  # a terminal escape
    answers["what_happened"] = answers["what_happened"] + "\r\nLine two\tend"
    response = client.post("/api/v1/contacts", json={"form": "cause_for_concern",
                                                     "answers": answers}, headers=bearer(key))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["children[0].first_name"]
    assert "U+001B" in json.dumps(response.json())
