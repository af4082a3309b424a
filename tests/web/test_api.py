"""The JSON API for partner systems: keys, validation through the same form definitions,
idempotency, one agency's contacts only; and schemathesis against the OpenAPI document."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from ffd_core.domain.vocab import AgencyKind, ContactKind
from ffd_core.services import api_keys, directory
from ffd_core.services.context import SYSTEM
from ffd_core.store.tables import Contact
from ffd_core.store.web_tables import ApiKey
from tests.web.conftest import sign_in
from tests.web.forms_helpers import example, send_new


POLICE = "pc.reed@brackenshire.example"  # at the key's agency's domain (see agency_id)


def agency_id(ctx, name="Brackenshire Constabulary", kind=AgencyKind.POLICE):  # noqa: ANN001, ANN201
    existing = {a.name: a.id for a in directory.list_agencies(ctx, SYSTEM)}
    return existing.get(name) or directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        name, kind, (name.split()[0].lower() + ".example",)))


@pytest.fixture
def key(web_ctx) -> str:  # noqa: ANN001
    return api_keys.create_key(web_ctx, SYSTEM, agency_id(web_ctx), "Niche RMS")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_key_is_high_entropy_shown_once_and_stored_as_sha256(web_ctx, key):
    assert key.startswith("ffd_") and len(key) > 50
    with web_ctx.read() as session:
        row = session.execute(select(ApiKey)).scalar_one()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in str(row.__dict__)


def test_submit_and_read_back(client, web_ctx, key):
    body = {"form": "cause_for_concern", "answers": example(web_ctx, email=POLICE)}
    response = client.post("/api/v1/contacts", json=body, headers=bearer(key))
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["reference"].startswith("FFD-") and receipt["status_label"] == "Received"
    status = client.get(f"/api/v1/contacts/{receipt['reference']}", headers=bearer(key))
    assert status.status_code == 200 and status.json()["status"] == "received"
    with web_ctx.read() as session:
        contact = session.execute(select(Contact)).scalar_one()
    assert contact.channel == "api" and contact.referrer_user_id is None
    assert contact.referrer_agency_id == agency_id(web_ctx)


def test_every_problem_is_named_by_its_field_path(client, web_ctx, key):
    answers = example(web_ctx, email=POLICE)
    answers["children"][0]["dob"] = "2019-02-31"
    del answers["children"][0]["first_name"]
    response = client.post("/api/v1/contacts", json={"form": "cause_for_concern", "answers": answers},
                           headers=bearer(key))
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) >= {"children[0].first_name", "children[0].dob"}
    assert "must be a real date" in fields["children[0].dob"]


def test_a_referrer_email_outside_the_agencys_domains_is_a_422_naming_the_field(client, web_ctx, key):
    answers = example(web_ctx, email="kerry.thompson@mail.example")
    response = client.post("/api/v1/contacts", json={"form": "cause_for_concern", "answers": answers},
                           headers=bearer(key))
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["field"] == "referrer_email" and "brackenshire.example" in problem["message"]
    with web_ctx.read() as session:
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 0


def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(client, web_ctx, key):
    body = {"form": "request_for_information", "answers": example(web_ctx, ContactKind.REQUEST_FOR_INFORMATION, email=POLICE)}
    headers = bearer(key) | {"Idempotency-Key": "niche-4711"}
    first = client.post("/api/v1/contacts", json=body, headers=headers)
    second = client.post("/api/v1/contacts", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["reference"] == second.json()["reference"] and second.json()["duplicate"]
    body["answers"]["information_requested"] = "Something else entirely"
    changed = client.post("/api/v1/contacts", json=body, headers=headers)
    assert changed.status_code == 422 and "different content" in changed.json()["detail"]
    with web_ctx.read() as session:
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 1


def test_idempotency_keys_belong_to_their_agency(client, web_ctx, key):
    other = api_keys.create_key(web_ctx, SYSTEM, agency_id(web_ctx, "Another Council", AgencyKind.OTHER_LOCAL_AUTHORITY), "x")
    body = {"form": "cause_for_concern", "answers": example(web_ctx, email=POLICE)}
    theirs = {"form": "cause_for_concern", "answers": example(web_ctx, email="duty@another.example")}
    a = client.post("/api/v1/contacts", json=body, headers=bearer(key) | {"Idempotency-Key": "1"})
    b = client.post("/api/v1/contacts", json=theirs, headers=bearer(other) | {"Idempotency-Key": "1"})
    assert a.status_code == b.status_code == 201 and a.json()["reference"] != b.json()["reference"]


def test_only_the_submitting_agencys_systems_see_a_contact(client, web_ctx, key):
    other = api_keys.create_key(web_ctx, SYSTEM, agency_id(web_ctx, "Another Council", AgencyKind.OTHER_LOCAL_AUTHORITY), "x")
    reference = client.post("/api/v1/contacts", json={"form": "cause_for_concern", "answers": example(web_ctx, email=POLICE)},
                            headers=bearer(key)).json()["reference"]
    assert client.get(f"/api/v1/contacts/{reference}", headers=bearer(other)).status_code == 404
    assert client.get("/api/v1/contacts/FFD-2026-999999", headers=bearer(key)).status_code == 404


def test_a_key_never_sees_what_its_agencys_people_sent_on_the_web(client, web_ctx):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    school = agency_id(web_ctx, "Hawthorn Primary School", AgencyKind.SCHOOL)
    school_key = api_keys.create_key(web_ctx, SYSTEM, school, "MIS")
    assert client.get(f"/api/v1/contacts/{reference}", headers=bearer(school_key)).status_code == 404


def test_missing_wrong_and_revoked_keys_are_refused(client, web_ctx, key):
    body = {"form": "cause_for_concern", "answers": example(web_ctx, email=POLICE)}
    assert client.post("/api/v1/contacts", json=body).status_code == 401
    assert client.post("/api/v1/contacts", json=body, headers=bearer(key + "x")).status_code == 401
    prefix = key.split("_")[1]
    api_keys.revoke_key(web_ctx, SYSTEM, prefix)
    refused = client.post("/api/v1/contacts", json=body, headers=bearer(key))
    assert refused.status_code == 401 and refused.json()["status"] == 401


def test_a_disabled_agency_stops_its_keys(client, web_ctx, key):
    from ffd_core.store.tables import Agency

    with web_ctx.write() as session:  # no service disables agencies yet: the store, as an admin would
        session.get(Agency, agency_id(web_ctx)).active = False
    body = {"form": "cause_for_concern", "answers": example(web_ctx, email=POLICE)}
    assert client.post("/api/v1/contacts", json=body, headers=bearer(key)).status_code == 401


def test_malformed_bodies_are_400_not_500(client, key):
    for body in (b"not json", b"[]", b'{"form": "nope", "answers": {}}', b'{"answers": {}}'):
        response = client.post("/api/v1/contacts", content=body, headers=bearer(key) | {"content-type": "application/json"})
        assert response.status_code == 400, (body, response.text)


def test_the_api_needs_no_csrf_token_and_sets_no_cookie(client, web_ctx, key):
    response = client.post("/api/v1/contacts", json={"form": "cause_for_concern", "answers": example(web_ctx, email=POLICE)},
                           headers=bearer(key))
    assert response.status_code == 201 and "set-cookie" not in response.headers


def test_the_openapi_document_is_served(client):
    document = client.get("/api/schema/openapi.json").json()
    assert set(document["paths"]) == {"/api/v1/contacts", "/api/v1/contacts/{reference}"}
    assert "apiKey" in document["components"]["securitySchemes"]
