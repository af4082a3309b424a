"""Services a screen used to do itself: linking by reference, and the reply templates that
can go with a decision (filled in for the contact)."""

from __future__ import annotations

from ffd_core.domain.vocab import ContactKind, Outcome
from ffd_core.services import contact_view, contacts, notes, replies
from ffd_core.services.context import SYSTEM
from tests.factories import new_contact


def test_linking_by_reference_links_both_ways(ctx, people):
    olivia = people["olivia"]
    one = contacts.submit(ctx, SYSTEM, new_contact(ctx.now()))
    other = contacts.submit(ctx, SYSTEM, new_contact(ctx.now()))
    said = notes.link_by_reference(ctx, olivia, one.contact_id, f" {other.reference.lower()} ",
                                   "same child")
    assert said == other.reference
    for mine, theirs in ((one, other), (other, one)):
        view = contact_view.view_contact(ctx, olivia, mine.contact_id)
        assert [(link.reference, link.reason) for link in view.links] == [
            (theirs.reference, "same child")]


def test_a_decision_offers_every_rejection_and_each_outcomes_own_letter(ctx, people):
    concern = contacts.submit(ctx, SYSTEM, new_contact(ctx.now()))
    view = contact_view.view_contact(ctx, people["olivia"], concern.contact_id)
    offered = replies.decision_replies(ctx, view)
    assert [(r.template_id, r.outcome) for r in offered] == [
        ("rejection.below_threshold", None), ("rejection.not_enough_information", None),
        ("rejection.consent_not_recorded", None), ("rejection.wrong_service", None),
        *((f"outcome.{o.value}", o) for o in Outcome if o is not Outcome.INFORMATION_DECLINED),
    ]
    assert all(concern.reference in r.text for r in offered)
    early_help = next(r for r in offered if r.outcome is Outcome.EARLY_HELP)
    assert early_help.name == "Early help" and "passed to the early help service" in early_help.text

    request = contacts.submit(ctx, SYSTEM, new_contact(
        ctx.now(), kind=ContactKind.REQUEST_FOR_INFORMATION))
    view = contact_view.view_contact(ctx, people["olivia"], request.contact_id)
    assert [r.outcome for r in replies.decision_replies(ctx, view) if r.outcome] == [
        Outcome.INFORMATION_SHARED, Outcome.INFORMATION_DECLINED]
