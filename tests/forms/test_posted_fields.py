from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ffd_core.forms import FormState, answers_from_fields, validate
from ffd_core.forms.engine import Slot


def test_a_posted_page_updates_the_draft(cfc):
    draft = {"category": "neglect", "children": [{"first_name": "Amy"}]}
    posted = {
        "children[0].last_name": "Smith",
        "children[1].first_name": "Ben",
        "csrf_token": "abc",
        "children[0].bogus": "x",
    }
    answers = answers_from_fields(cfc, posted, draft)
    assert answers == {
        "category": "neglect",
        "children": [{"first_name": "Amy", "last_name": "Smith"}, {"first_name": "Ben"}],
    }
    assert draft == {"category": "neglect", "children": [{"first_name": "Amy"}]}  # not mutated


def test_date_parts_join_into_a_date_or_stay_as_typed(cfc, today):
    answers = answers_from_fields(
        cfc,
        {
            "children[0].dob-day": "4",
            "children[0].dob-month": "5",
            "children[0].dob-year": "2019",
            "date_of_incident-day": "31",
            "date_of_incident-month": "2",
            "date_of_incident-year": "2026",
            "last_seen_date-day": "",
            "last_seen_date-month": "",
            "last_seen_date-year": "",
        },
    )
    assert answers["children"][0]["dob"] == "2019-05-04"
    assert answers["last_seen_date"] is None
    errors = {e.field: e.message for e in validate(cfc, answers, today)}
    assert errors["date_of_incident"] == "The date this happened must be a real date"


def test_checkboxes_always_become_a_list(cfc):
    assert answers_from_fields(cfc, {"neglect_areas": "food"})["neglect_areas"] == ["food"]
    assert answers_from_fields(cfc, {"neglect_areas": ["food", "health"]})["neglect_areas"] == [
        "food",
        "health",
    ]


def test_answers_go_only_where_the_form_has_a_place_for_them(cfc):
    answers = answers_from_fields(
        cfc,
        {
            "first_name": "Top level",
            "household[0].first_name": "Wrong page",
            "children[99].first_name": "Too many",
        },
    )
    assert answers == {}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_every_field_the_page_view_names_is_read_back_to_the_same_place(cfc, today, data):
    section = data.draw(st.sampled_from(cfc.sections))
    question = data.draw(st.sampled_from(section.questions))
    item = data.draw(st.integers(0, 2)) if section.repeat else None
    slot = Slot(section, question, item)
    value = data.draw(st.text(min_size=1, max_size=5))
    answers = answers_from_fields(cfc, {slot.field: value})
    expected = [value] if question.type == "multi_choice" else value
    assert FormState(cfc, answers, today).raw_value(slot) == expected
