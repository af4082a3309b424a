"""Whatever a person (or a broken client) sends, the engine behaves."""

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ffd_core.domain.vocab import ContactKind
from ffd_core.forms import (
    Draft,
    FormDefinition,
    FormState,
    default_config,
    migrate_draft,
    save_draft,
    validate,
)

CFC = default_config().form(ContactKind.CAUSE_FOR_CONCERN)
TODAY = date(2026, 11, 26)

junk = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.dates().map(date.isoformat)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


def plausible_value(question):
    options = list(question.option_values) or ["x"]
    return st.one_of(
        st.none(),
        st.sampled_from(options),
        st.lists(st.sampled_from(options), max_size=2),
        st.dates(date(2000, 1, 1), date(2030, 1, 1)).map(date.isoformat),
        st.text(max_size=10),
        junk,
    )


@st.composite
def answers(draw):
    """Answers to a random subset of the real questions, with plausible or junk values."""
    result = {}
    for section in CFC.sections:
        questions = draw(st.lists(st.sampled_from(section.questions), max_size=4, unique=True))
        if section.repeat is None:
            for question in questions:
                result[question.id] = draw(plausible_value(question))
        else:
            count = draw(st.integers(0, 3))
            result[section.id] = [
                {q.id: draw(plausible_value(q)) for q in questions} for _ in range(count)
            ]
    if draw(st.booleans()):
        result.update(draw(st.dictionaries(st.text(max_size=6), junk, max_size=3)))
    return result


def visible_fields(state):
    fields = {slot.field for slot in state.visible_slots()}
    return fields | {s.id for s in state.visible_sections() if s.repeat}


@given(answers())
def test_validation_names_only_fields_that_exist_and_are_visible(given_answers):
    state = FormState(CFC, given_answers, TODAY)
    errors = validate(CFC, given_answers, TODAY)
    assert {e.field for e in errors} <= visible_fields(state)
    assert all(e.message and e.message[0].isupper() for e in errors)


@given(answers())
def test_hidden_sections_never_require(given_answers):
    state = FormState(CFC, given_answers, TODAY)
    hidden = {s.id for s in CFC.sections if not state.section_visible(s)}
    assert not any(e.section_id in hidden for e in validate(CFC, given_answers, TODAY))
    for section in CFC.sections:
        for slot in state.slots(section):
            if not state.visible(slot):
                assert not state.required(slot)


@given(st.one_of(answers(), st.dictionaries(st.text(max_size=6), junk)))
def test_a_draft_always_saves_and_survives_json(given_answers):
    draft = save_draft(CFC, given_answers)
    stored = json.loads(json.dumps(draft.to_data()))
    assert Draft.from_data(stored) == draft
    assert draft.content_hash == CFC.content_hash


@given(answers())
def test_submitted_answers_are_only_visible_ones(given_answers):
    state = FormState(CFC, given_answers, TODAY)
    kept = state.visible_answers()
    visible_ids = {slot.question.id for slot in state.visible_slots()} | {
        s.id for s in state.visible_sections() if s.repeat
    }
    assert set(kept) <= visible_ids


def _renamed_a_label(snapshot):
    snapshot["sections"][-1]["questions"][0]["label"] = "Your name"
    snapshot["version"] += 1


@given(answers())
def test_a_migrated_draft_keeps_only_answers_the_newest_form_can_hold(given_answers):
    snapshot = CFC.to_snapshot()
    _renamed_a_label(snapshot)
    newest = FormDefinition.from_snapshot(snapshot)
    migration = migrate_draft(save_draft(CFC, given_answers), newest, used=CFC)
    assert migration.draft.content_hash == newest.content_hash
    for key, value in migration.draft.answers.items():
        if newest.has_question(key):
            assert newest.section_of(key).repeat is None
        else:
            assert newest.section(key).repeat is not None
            assert all(newest.section_of(q).id == key for item in value for q in item)
    json.dumps(migration.draft.to_data())


known_keys = st.sampled_from([q.id for _, q in CFC.questions()] + [s.id for s in CFC.sections])
messy = st.dictionaries(
    st.one_of(known_keys, st.text(max_size=5)),
    st.one_of(
        junk,
        st.lists(
            st.dictionaries(st.one_of(known_keys, st.text(max_size=3)), junk, max_size=3),
            max_size=3,
        ),
    ),
    max_size=6,
)


@given(messy)
def test_any_saved_draft_can_be_migrated_and_validated(given_answers):
    snapshot = CFC.to_snapshot()
    _renamed_a_label(snapshot)
    newest = FormDefinition.from_snapshot(snapshot)
    migration = migrate_draft(save_draft(CFC, given_answers), newest, used=CFC)
    assert all(change.message for change in migration.changes)
    validate(newest, migration.draft.answers, TODAY)
