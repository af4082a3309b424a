"""The restricted child look-up: exact details only, at most one child, what the agency
kind may see, the reason recorded, every look-up audited and limited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ffd_core.domain.vocab import AgencyKind
from ffd_core.search.records import EDUCATION, SOCIAL_CARE, SourceRecord
from ffd_core.services import person_index
from ffd_core.services.context import SYSTEM
from ffd_core.store.tables import AuditEvent
from tests.web.conftest import add_partner, post, sign_in, with_settings

CHILD = {"given_name": "Maisie", "family_name": "Thompson", "date_of_birth": "14/03/2020",
         "postcode": "bk1 2ab", "reason": "Deciding whether to refer a pupil"}


def index(ctx) -> None:  # noqa: ANN001
    records = [
        SourceRecord(SOCIAL_CARE, "FWI-1", "Maisie", "Thompson", date_of_birth=date(2020, 3, 14),
                     postcode="BK1 2AB", address_line1="1 Hidden Lane", details={"allocated_worker": "Wendy Worker",
                                                  "worker_phone": "01632 960 123",
                                                  "worker_email": "wendy@brackenshire.example"}),
        SourceRecord(EDUCATION, "ONE-2", "Liam", "Thompson", date_of_birth=date(2018, 1, 2),
                     postcode="BK1 2AB"),
    ]
    person_index.import_records(ctx, SYSTEM, records)
    person_index.relink(ctx, SYSTEM)


def test_a_school_sees_known_yes_and_the_allocated_worker_only(client, web_ctx):
    index(web_ctx)
    sign_in(client, web_ctx)
    text = post(client, "/look-up", CHILD).text
    assert "Known to children" in text and "Wendy Worker" in text and "01632 960 123" in text
    assert "Hidden Lane" not in text and "FWI-1" not in text
    with web_ctx.read() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "child_lookup")).scalar_one()
    assert event.data["reason"] == CHILD["reason"] and event.data["found"] is True


def test_case_and_spacing_are_forgiven_but_nothing_else(client, web_ctx):
    index(web_ctx)
    sign_in(client, web_ctx)
    assert "Known to children" in post(client, "/look-up", CHILD | {"given_name": " maisie ", "postcode": "BK12AB"}).text
    for near_miss in ({"given_name": "Maisy"}, {"date_of_birth": "15/03/2020"}, {"postcode": "BK1 2AC"}):
        text = post(client, "/look-up", CHILD | near_miss).text
        assert "could not find one child" in text and "Wendy" not in text, near_miss


def test_a_child_known_only_to_education_is_not_known_to_social_care(client, web_ctx):
    index(web_ctx)
    sign_in(client, web_ctx)
    text = post(client, "/look-up", CHILD | {"given_name": "Liam", "date_of_birth": "02/01/2018"}).text
    assert "Not known to children" in text


def test_a_reason_is_required(client, web_ctx):
    sign_in(client, web_ctx)
    text = post(client, "/look-up", CHILD | {"reason": " "}).text
    assert "<title>Error: " in text and "Enter why you are looking this child up" in text


def test_voluntary_organisations_may_not_look_up_by_default(client, web_ctx):
    index(web_ctx)
    add_partner(web_ctx, "Brackenshire Young Carers", AgencyKind.VOLUNTARY, "carer", "carer@carers.example")
    sign_in(client, web_ctx, "carer@carers.example")
    text = post(client, "/look-up", CHILD).text
    assert "may not look children up" in text and "Wendy" not in text
    with_settings(web_ctx, lookup_agency_kinds=("voluntary",))
    assert "Wendy Worker" in post(client, "/look-up", CHILD).text


def web_ctx_app_limits_reset(client) -> None:  # noqa: ANN001
    """Forget the per-address counters (a new minute for the rate limiter)."""
    import anyio

    anyio.run(client.app.stores.get("rate_lookup").delete_all)


def test_look_ups_are_limited_per_person(client, web_ctx, clock):
    index(web_ctx)
    sign_in(client, web_ctx)
    for minute in range(20):
        clock.advance(minutes=1)
        if minute % 9 == 8:  # the per-address limit (10 a minute) counts real minutes
            web_ctx_app_limits_reset(client)
        post(client, "/look-up", CHILD)
    refused = post(client, "/look-up", CHILD)
    assert refused.status_code == 429 and "You have looked up 20 children in the last hour" in refused.text


def test_an_agency_past_its_share_of_look_ups_is_told_so(client, other_client, web_ctx):
    index(web_ctx)
    with_settings(web_ctx, lookup_per_agency_per_hour=2)
    add_partner(web_ctx, "Hawthorn Primary School", AgencyKind.SCHOOL, "deputy", "dan@hawthorn.sch.example")
    sign_in(client, web_ctx)
    assert [post(client, "/look-up", CHILD).status_code for _ in range(2)] == [200, 200]
    sign_in(other_client, web_ctx, "dan@hawthorn.sch.example")
    refused = post(other_client, "/look-up", CHILD)
    assert refused.status_code == 429 and "Wendy" not in refused.text
    assert "Your organisation has looked up 2 children in the last hour" in refused.text
