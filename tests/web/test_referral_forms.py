"""A cause for concern and a request for information from the shared form definitions:
category first, then only the relevant pages, errors as GOV.UK shows them, drafts saved on
every Continue, check your answers, confirmation; and what an attacker would try."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from ffd_core.domain.vocab import AgencyKind, ContactKind
from ffd_core.services import drafts
from ffd_core.store.tables import Change, Contact
from ffd_core.store.web_tables import WebDraft
from tests.web.conftest import TEACHER, add_partner, emails, post, sign_in, with_settings
from tests.web.forms_helpers import example, fill, page_fields, send_new, start_draft


def test_category_first_then_only_its_pages(client, web_ctx):
    sign_in(client, web_ctx)
    key = start_draft(client)
    first = client.get(f"/drafts/{key}", follow_redirects=True)
    assert "What is your main worry" in first.text and "page 1 of" in first.text
    post(client, f"/drafts/{key}/concern", {"category": "missing_child", "action": "continue"})
    page = client.get(f"/drafts/{key}/children")
    total = int(re.search(r"page \d+ of (\d+)", page.text).group(1))
    assert client.get(f"/drafts/{key}/missing_child").status_code == 200
    assert client.get(f"/drafts/{key}/neglect").status_code == 302  # not this category's page
    post(client, f"/drafts/{key}/concern", {"category": "neglect", "action": "continue"})
    assert client.get(f"/drafts/{key}/missing_child").status_code == 302
    assert client.get(f"/drafts/{key}/neglect").status_code == 200
    assert total > 5


def test_errors_have_a_summary_linking_to_each_field_and_inline_messages(client, web_ctx):
    sign_in(client, web_ctx)
    key = start_draft(client)
    post(client, f"/drafts/{key}/concern", {"category": "neglect", "action": "continue"})
    response = post(client, f"/drafts/{key}/children", {
        "children[0].first_name": "", "children[0].dob-day": "31", "children[0].dob-month": "2",
        "children[0].dob-year": "2019", "action": "continue"})
    text = response.text
    assert "<title>Error: The child or children" in text
    assert "There is a problem" in text
    assert 'href="#children[0].first_name"' in text and 'id="children[0].first_name"' in text
    assert 'href="#children[0].dob"' in text  # the date's first box carries the field's id
    assert "Enter the child&#39;s first name" in text or "Enter the child's first name" in text
    assert 'class="error-message" id="children[0].first_name-error"' in text
    assert 'value="31"' in text  # what was typed is kept, even when it is not a date


def test_every_continue_saves_the_draft_and_drafts_are_listed_with_expiry(client, web_ctx):
    sign_in(client, web_ctx)
    key = start_draft(client)
    post(client, f"/drafts/{key}/concern", {"category": "neglect", "action": "continue"})
    post(client, f"/drafts/{key}/children", {"children[0].first_name": "Amy", "action": "save"})
    listing = client.get("/drafts").text
    assert "Amy" in listing and "22 December 2026" in listing  # 28 days from 24 November
    assert 'value="Amy"' in client.get(f"/drafts/{key}/children").text


def test_add_another_and_remove_on_repeating_pages(client, web_ctx):
    sign_in(client, web_ctx)
    key = start_draft(client)
    post(client, f"/drafts/{key}/concern", {"category": "neglect", "action": "continue"})
    post(client, f"/drafts/{key}/children", {"children[0].first_name": "Amy", "action": "add"})
    page = client.get(f"/drafts/{key}/children").text
    assert "Child 2" in page
    post(client, f"/drafts/{key}/children", {"children[0].first_name": "Amy",
                                              "children[1].first_name": "Ben", "action": "remove:0"})
    page = client.get(f"/drafts/{key}/children").text
    assert 'value="Ben"' in page and 'value="Amy"' not in page and "Child 2" not in page


def test_a_whole_cause_for_concern_check_answers_and_confirmation(client, web_ctx):
    sign_in(client, web_ctx)
    key = start_draft(client)
    answers = example(web_ctx)
    assert fill(client, web_ctx, key, answers) == f"/drafts/{key}/documents"
    check = client.get(f"/drafts/{key}/check").text
    assert "Check your answers before sending" in check
    assert f'href="/drafts/{key}/children?return_to=check#children[0].first_name"' in check
    # A change link goes back to the page and returns to check answers.
    back = post(client, f"/drafts/{key}/children?return_to=check",
                {**page_fields(web_ctx.config.form(ContactKind.CAUSE_FOR_CONCERN), "children", answers),
                 "action": "continue"})
    assert back.headers["location"] == f"/drafts/{key}/check"
    sent = post(client, f"/drafts/{key}/send")
    reference = sent.headers["location"].split("/")[2]
    confirmation = client.get(sent.headers["location"]).text
    assert "Your reference number" in confirmation and reference in confirmation
    assert "What happens next" in confirmation
    with web_ctx.read() as session:
        contact = session.execute(select(Contact).where(Contact.reference == reference)).scalar_one()
        assert contact.channel == "web_form" and contact.category == "neglect"
        assert contact.referrer_user_id is not None and session.get(WebDraft, 1) is None
        assert session.execute(select(Change).where(Change.contact_id == contact.id)).first()
    assert any(m.get("template") == "acknowledgement" and m["reference"] == reference
               for m in emails(web_ctx))
    assert client.get("/drafts").text.count(key) == 0


def test_a_request_for_information(client, web_ctx):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx, ContactKind.REQUEST_FOR_INFORMATION)
    assert "Request sent" in client.get(f"/submissions/{reference}/confirmation").text


def test_sending_with_problems_lists_them_with_links_to_their_pages(client, web_ctx):
    sign_in(client, web_ctx)
    key = start_draft(client)
    post(client, f"/drafts/{key}/concern", {"category": "neglect", "action": "continue"})
    response = post(client, f"/drafts/{key}/send")
    assert response.status_code == 200 and "<title>Error: " in response.text
    assert f'href="/drafts/{key}/children?return_to=check#children"' in response.text


def test_a_referrer_email_that_is_not_the_partners_own_is_refused_at_its_field(client, web_ctx):
    sign_in(client, web_ctx)
    for kind, section, question in ((ContactKind.CAUSE_FOR_CONCERN, "referrer", "referrer_email"),
                                    (ContactKind.REQUEST_FOR_INFORMATION, "requester", "requester_email")):
        key = start_draft(client, kind)
        fill(client, web_ctx, key, example(web_ctx, kind, email="kerry.thompson@mail.example"), kind)
        response = post(client, f"/drafts/{key}/send")
        assert response.status_code == 200 and "<title>Error: " in response.text
        assert "Enter your own work email address" in response.text
        assert f'href="/drafts/{key}/{section}?return_to=check#{question}"' in response.text
    assert emails(web_ctx, "kerry.thompson@mail.example") == []
    with web_ctx.read() as session:
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 0


def test_a_double_send_makes_one_contact(client, web_ctx):
    sign_in(client, web_ctx)
    key = start_draft(client)
    fill(client, web_ctx, key, example(web_ctx))
    first = post(client, f"/drafts/{key}/send")
    second = post(client, f"/drafts/{key}/send")
    assert first.headers["location"] == second.headers["location"]
    with web_ctx.read() as session:
        assert session.execute(select(func.count(Contact.id)).where(
            Contact.channel == "web_form")).scalar_one() == 1


def test_another_persons_draft_is_not_found(client, other_client, web_ctx):
    sign_in(client, web_ctx)
    key = start_draft(client)
    post(client, f"/drafts/{key}/concern", {"category": "neglect", "action": "continue"})
    add_partner(web_ctx, "Hawthorn Primary School", AgencyKind.SCHOOL, "colleague",
                "colleague@hawthorn.sch.example")
    sign_in(other_client, web_ctx, "colleague@hawthorn.sch.example")
    for path in (f"/drafts/{key}", f"/drafts/{key}/concern", f"/drafts/{key}/check",
                 f"/drafts/{key}/documents", "/drafts/not-a-real-key/concern"):
        assert other_client.get(path).status_code == 404, path
    for path in (f"/drafts/{key}/concern", f"/drafts/{key}/send", f"/drafts/{key}/delete"):
        assert post(other_client, path, {"category": "other", "action": "continue"}).status_code == 404
    assert key not in other_client.get("/drafts").text
    assert "neglect" in str(drafts.open_draft(web_ctx, _teacher(web_ctx), key).answers)


def test_old_drafts_are_deleted(client, web_ctx, clock):
    sign_in(client, web_ctx)
    key = start_draft(client)
    clock.advance(days=28, minutes=1)
    assert drafts.purge_expired(web_ctx) == 1
    sign_in(client, web_ctx)
    assert client.get(f"/drafts/{key}/concern").status_code == 404


def test_script_and_markup_in_every_field_is_rendered_inert(client, web_ctx):
    sign_in(client, web_ctx)
    attack = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    answers = example(web_ctx)
    definition = web_ctx.config.form(ContactKind.CAUSE_FOR_CONCERN)
    for section in definition.sections:
        for question in section.questions:
            if question.type not in ("text", "long_text"):
                continue
            target = answers[section.id][0] if section.repeat and answers.get(section.id) else answers
            if question.id in target or not section.repeat:
                target[question.id] = attack
    key = start_draft(client)
    fill(client, web_ctx, key, answers)
    pages = [client.get(f"/drafts/{key}/check").text]
    reference = post(client, f"/drafts/{key}/send").headers["location"].split("/")[2]
    pages += [client.get(f"/submissions/{reference}").text, client.get("/submissions").text,
              client.get(f"/submissions/{reference}/confirmation").text]
    for text in pages:
        assert "<script>alert" not in text and "<img src=x" not in text
    assert html.escape(attack, quote=True) in pages[0] or "&lt;script&gt;" in pages[0]


def _teacher(ctx):  # noqa: ANN001, ANN202
    from ffd_core.services import directory
    from ffd_core.services.context import SYSTEM

    return next(directory.actor_for(u) for u in directory.list_users(ctx, SYSTEM) if u.email == TEACHER)


def test_a_draft_moves_to_a_changed_form_and_says_what_changed(client, web_ctx, tmp_path):
    from ffd_core.forms import export_defaults

    sign_in(client, web_ctx)
    key = start_draft(client)
    post(client, f"/drafts/{key}/concern", {"category": "neglect", "action": "continue"})
    post(client, f"/drafts/{key}/children", {"children[0].first_name": "Amy",
                                              "children[0].other_names": "Aimee", "action": "save"})
    # The council removes a question overnight (and raises the version, as `config check` asks).
    export_defaults(tmp_path)
    cfc = tmp_path / "cfc.yaml"
    text = cfc.read_text().replace("version: 1\n", "version: 2\n", 1)
    start = text.index("      - id: other_names")
    cfc.write_text(text[:start] + text[text.index("      - id: unborn"):])
    with_settings(web_ctx, forms_dir=str(tmp_path))
    web_ctx.__dict__.pop("config", None)  # the configuration is read once per process
    page = client.get(f"/drafts/{key}/children").text
    assert "is no longer asked, so your answer has been removed" in page
    assert 'value="Amy"' in page and "Aimee" not in page
    assert "no longer asked" not in client.get(f"/drafts/{key}/children").text  # said once
