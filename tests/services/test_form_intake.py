"""A form submission becomes a contact, pinned to the exact definition it was made with."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ffd_core.domain.vocab import Channel, ContactKind, Outcome
from ffd_core.forms import SubmissionInvalid, default_config
from ffd_core.services import forms
from ffd_core.services.contact_view import view_contact
from ffd_core.store.forms_tables import FormSnapshot
from tests.forms.example_answers import complete_answers

TODAY = date(2026, 11, 24)


def cfc_answers(**start):  # noqa: ANN003, ANN201
    definition = default_config().form(ContactKind.CAUSE_FOR_CONCERN)
    base = {"category": "physical_abuse",
            "children": [{"first_name": "Maisie", "last_name": "Thompson", "dob": "2026-05-01"}],
            "non_mobile": "yes", "injury_types": ["bruise"],
            "referrer_name": "Tess Teacher", "referrer_email": "tess@hawthorn.sch.example",
            **start}
    return complete_answers(definition, TODAY, base)


def test_submitted_form_becomes_contact_with_snapshot_and_suggested_priority(ctx, people):
    receipt = forms.submit_form(ctx, people["teacher"], ContactKind.CAUSE_FOR_CONCERN,
                                cfc_answers(), forms.Intake(Channel.WEB_FORM))
    view = view_contact(ctx, people["olivia"], receipt.contact_id)
    assert view.children[0].name == "Maisie Thompson"
    assert view.children[0].date_of_birth == date(2026, 5, 1)
    # A non-mobile baby with a bruise: the bundled rules suggest priority 1, saying why.
    assert view.priority == 1 and "suggested" in view.priority_reason
    with ctx.read() as session:
        snapshot = session.execute(select(FormSnapshot)).scalar_one()
    assert snapshot.content_hash == view.form[2]
    rows = forms.answers_for(ctx, view)
    assert any(r.question.startswith("What is your main worry") for r in rows)
    suggestion = forms.suggestion_for(ctx, view)
    assert suggestion.priority == 1 and suggestion.fired
    assert forms.previous_hashes(ctx) == {(snapshot.form_id, int(snapshot.version)): snapshot.content_hash}


def test_invalid_submission_names_fields_and_stores_nothing(ctx, people):
    with pytest.raises(SubmissionInvalid) as error:
        forms.submit_form(ctx, people["teacher"], ContactKind.CAUSE_FOR_CONCERN,
                          {"category": "neglect"}, forms.Intake(Channel.WEB_FORM))
    assert error.value.errors and all(e.field for e in error.value.errors)
    with ctx.read() as session:
        assert session.execute(select(FormSnapshot)).first() is None


def test_reply_rendered_from_contact(ctx, people):
    receipt = forms.submit_form(ctx, people["teacher"], ContactKind.CAUSE_FOR_CONCERN,
                                cfc_answers(), forms.Intake(Channel.WEB_FORM))
    view = view_contact(ctx, people["olivia"], receipt.contact_id)
    message = forms.render_reply(ctx, view, "outcome.early_help", outcome=Outcome.EARLY_HELP)
    assert view.reference in message.text and "Maisie Thompson" in message.text
    assert "999" in message.text and "<" in message.html
