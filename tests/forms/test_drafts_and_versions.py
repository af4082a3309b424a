import json

import pytest
from example_answers import complete_answers

from ffd_core.forms import FormDefinition, FormState, migrate_draft, save_draft, submit


def edited(definition: FormDefinition, change) -> FormDefinition:
    """A later version of ``definition``, as if staff had edited the file."""
    snapshot = json.loads(json.dumps(definition.to_snapshot()))
    change(snapshot)
    snapshot["version"] += 1
    return FormDefinition.from_snapshot(snapshot)


def question(snapshot, question_id):
    for section in snapshot["sections"]:
        for q in section["questions"]:
            if q["id"] == question_id:
                return section, q
    raise KeyError(question_id)


def test_partial_answers_save_as_a_draft_of_the_exact_version(cfc):
    draft = save_draft(cfc, {"category": "neglect", "children": [{"first_name": "Amy"}]})
    assert (draft.form_id, draft.version, draft.content_hash) == (
        cfc.form_id,
        cfc.version,
        cfc.content_hash,
    )
    assert draft.answers["children"][0]["first_name"] == "Amy"


def test_a_draft_on_the_current_version_is_left_alone(cfc):
    draft = save_draft(cfc, {"category": "neglect"})
    migration = migrate_draft(draft, cfc, cfc)
    assert migration.draft == draft and migration.changes == ()


def test_a_draft_moves_to_the_newest_version_keeping_answers_whose_questions_remain(cfc):
    def change(s):
        section, q = question(s, "child_views")
        section["questions"].remove(q)
        question(s, "consent")[1]["label"] = "Have the parents or carers agreed to this referral?"
        section, _ = question(s, "what_happened")
        section["questions"].append(
            {"id": "witnesses", "type": "long_text", "label": "Who else saw it?"}
        )

    newest = edited(cfc, change)
    draft = save_draft(
        cfc,
        {
            "category": "neglect",
            "children": [{"first_name": "Amy"}],
            "child_views": "Sad",
            "consent": "given",
        },
    )
    migration = migrate_draft(draft, newest, used=cfc)

    assert migration.draft.version == cfc.version + 1
    assert migration.draft.content_hash == newest.content_hash
    assert migration.draft.answers == {
        "category": "neglect",
        "children": [{"first_name": "Amy"}],
        "consent": "given",
    }
    told = [c.message for c in migration.changes]
    assert (
        "The question ‘What does the child say or feel about this? (optional)’ is no longer asked, so your answer has been removed."
        in told
    )
    assert "A new question has been added: ‘Who else saw it?’." in told
    assert any("now reads ‘Have the parents or carers agreed to this referral?’" in m for m in told)


def test_an_answer_that_is_no_longer_an_option_is_dropped_with_an_explanation(cfc):
    def change(s):
        _, q = question(s, "neglect_duration")
        q["options"] = [o for o in q["options"] if o["value"] != "weeks"]

    newest = edited(cfc, change)
    draft = save_draft(
        cfc, {"category": "neglect", "neglect_duration": "weeks", "neglect_areas": ["food"]}
    )
    migration = migrate_draft(draft, newest)
    assert "neglect_duration" not in migration.draft.answers
    assert migration.draft.answers["neglect_areas"] == ["food"]
    assert [c.question_id for c in migration.changes] == ["neglect_duration"]


def test_an_answer_follows_its_question_to_another_page(cfc):
    def move(s):
        section, q = question(s, "child_views")
        section["questions"].remove(q)
        question(s, "actions_taken")[0]["questions"].append(q)

    newest = edited(cfc, move)
    draft = save_draft(
        cfc,
        {
            "category": "other",
            "child_views": "Wants to stay with nan",
            "children": [{"school": "Oak"}, {"school": "Elm"}],
        },
    )
    migration = migrate_draft(draft, newest, used=cfc)
    assert migration.draft.answers == draft.answers
    assert newest.section_of("child_views").id == "already_done"
    assert migration.changes == ()


def test_a_draft_for_another_form_is_refused(cfc, rfi):
    with pytest.raises(ValueError):
        migrate_draft(save_draft(rfi, {}), cfc)


def test_an_old_submission_is_shown_with_the_questions_it_was_made_with(cfc, today):
    answers = complete_answers(cfc, today, {"category": "domestic_abuse"})
    submission = submit(cfc, answers, today)
    stored = {cfc.content_hash: json.dumps(cfc.to_snapshot())}  # what the store keeps

    def reword(s):
        question(s, "police_attended")[1]["label"] = "Were the police called?"

    newest = edited(cfc, reword)
    assert newest.content_hash != submission.content_hash

    pinned = FormDefinition.from_snapshot(json.loads(stored[submission.content_hash]))
    labels = {
        q.id: q.label
        for p in FormState(pinned, submission.answers, today).pages()
        for i in p.items
        for q in i.questions
    }
    assert labels["police_attended"] == "Did the police attend?"


def test_new_questions_on_pages_the_draft_does_not_show_are_not_mentioned(cfc, today):
    def add_to_missing_page(s):
        section = next(x for x in s["sections"] if x["id"] == "missing_child")
        section["questions"].append(
            {"id": "seen_by", "type": "text", "label": "Who saw the child last?"}
        )

    newest = edited(cfc, add_to_missing_page)
    neglect = save_draft(cfc, {"category": "neglect"})
    assert migrate_draft(neglect, newest, used=cfc, today=today).changes == ()
    missing = save_draft(cfc, {"category": "missing_child"})
    told = [c.message for c in migrate_draft(missing, newest, used=cfc, today=today).changes]
    assert told == ["A new question has been added: ‘Who saw the child last?’."]
