"""Small builders for test inputs (inputs only: every write still goes through services)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from ffd_core.domain.contact import NewContact, PersonEntry, Referrer
from ffd_core.domain.vocab import Channel, Consent, ContactKind, PersonRole, Priority


def child(given: str = "Maisie", family: str = "Thompson", born: date = date(2020, 3, 14),
          **more) -> PersonEntry:  # noqa: ANN003
    return PersonEntry(given_name=given, family_name=family, date_of_birth=born, **more)


def new_contact(received_at: datetime, **overrides) -> NewContact:  # noqa: ANN003
    base = NewContact(
        kind=ContactKind.CAUSE_FOR_CONCERN,
        channel=Channel.WEB_FORM,
        received_at=received_at,
        category="physical_abuse",
        children=(child(),),
        household=(PersonEntry(given_name="Kerry", family_name="Thompson",
                               role=PersonRole.HOUSEHOLD, relationship_to_child="mother"),),
        referrer=Referrer(name="Tess Teacher", role="Designated safeguarding lead",
                          agency_name="Hawthorn Primary School", phone="01632 960 123",
                          email="tess@hawthorn.sch.example"),
        consent=Consent.GIVEN,
        answers={"what_happened": "Bruise on the left cheek, says she fell."},
        priority=Priority.STANDARD,
    )
    return replace(base, **overrides)
