import pytest
from example_answers import complete_answers

from ffd_core.domain.vocab import Consent, LevelOfNeed
from ffd_core.forms import FormState, SubmissionInvalid, submit, validate
from ffd_core.forms.validation import is_nhs_number

CATEGORIES = [
    "physical_abuse",
    "sexual_abuse",
    "child_sexual_exploitation",
    "child_criminal_exploitation",
    "emotional_abuse",
    "neglect",
    "domestic_abuse",
    "missing_child",
    "self_harm_mental_health",
    "radicalisation",
    "female_genital_mutilation",
    "private_fostering",
    "parenting_support",
    "other",
]


def messages(errors):
    return {e.field: e.message for e in errors}


def test_the_bundled_form_offers_every_category_the_front_door_needs(cfc):
    assert [o.value for o in cfc.categories] == CATEGORIES


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_renders_validates_and_submits(cfc, today, category):
    pages = FormState(cfc, {"category": category}, today).pages()
    assert pages[0].section_id == "concern"
    category_pages = {p.section_id for p in pages} & set(CATEGORIES)
    assert category_pages == ({category} if category != "other" else set())

    assert any(e.field == "category" for e in validate(cfc, {}, today))
    answers = complete_answers(cfc, today, {"category": category})
    submission = submit(cfc, answers, today)
    assert submission.category == category
    assert submission.content_hash == cfc.content_hash


def test_request_for_information_submits(rfi, today):
    submission = submit(rfi, complete_answers(rfi, today), today)
    assert submission.form_id == "request_for_information"
    assert submission.category is None


def test_the_date_of_birth_message_offers_not_known(cfc, today):
    answers = {"category": "neglect", "children": [{"first_name": "Amy"}]}
    assert messages(validate(cfc, answers, today))["children[0].dob"] == (
        "Child 1: Enter the child's date of birth, or tick 'not known'"
    )
    answers["children"][0]["dob_not_known"] = "yes"
    assert "children[0].dob" not in messages(validate(cfc, answers, today))


def test_an_unborn_baby_needs_a_due_date_not_a_date_of_birth(cfc, today):
    answers = {"category": "neglect", "children": [{"unborn": "yes"}]}
    found = messages(validate(cfc, answers, today))
    assert found["children[0].due_date"] == "Child 1: Enter the expected due date"
    assert "children[0].dob" not in found and "children[0].gender" not in found


def test_errors_come_in_page_order_ready_for_an_error_summary(cfc, today):
    answers = {"category": "domestic_abuse", "children": [{}, {}]}
    errors = validate(cfc, answers, today)
    pages = [p.section_id for p in FormState(cfc, answers, today).pages()]
    order = [pages.index(e.section_id) for e in errors]
    assert order == sorted(order)
    fields = [e.field for e in errors]
    assert fields.index("children[0].first_name") < fields.index("children[1].first_name")
    assert (
        fields.index("perpetrator_lives_with_child")
        < fields.index("police_attended")
        < fields.index("what_happened")
    )


def test_questions_revealed_by_an_answer_become_required(cfc, today):
    answers = complete_answers(cfc, today, {"category": "domestic_abuse"})
    answers["police_attended"] = "yes"
    assert messages(validate(cfc, answers, today)) == {
        "police_reference": "Enter the police reference number"
    }


def test_a_hidden_section_never_requires_anything_and_its_answers_are_not_submitted(cfc, today):
    answers = complete_answers(cfc, today, {"category": "neglect"})
    answers["missing_now"] = "yes"  # left over from when the referrer chose "missing"
    submission = submit(cfc, answers, today)
    assert "missing_now" not in submission.answers
    assert not any(
        e.section_id == "missing_child" for e in validate(cfc, {"category": "neglect"}, today)
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        (
            "referrer_email",
            "sam at school",
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            "referrer_phone",
            "call me",
            "Enter a telephone number, like 01632 960 001 or 07700 900 982",
        ),
        ("date_of_incident", "2026-02-30", "The date this happened must be a real date"),
        ("date_of_incident", "2027-01-01", "The date this happened must be today or in the past"),
        ("consent", "maybe", "Select whether consent was given, refused, or not sought"),
    ],
)
def test_wrong_answers_get_messages_that_say_what_to_do(cfc, today, field, value, message):
    answers = complete_answers(cfc, today, {"category": "other"})
    answers[field] = value
    assert messages(validate(cfc, answers, today)) == {field: message}


def test_nhs_numbers_are_checked_with_their_check_digit(cfc, today):
    assert is_nhs_number("943 476 5919")
    assert not is_nhs_number("943 476 5918")
    answers = complete_answers(cfc, today, {"category": "other"})
    answers["children"][0]["nhs_number"] = "943 476 5918"
    assert messages(validate(cfc, answers, today)) == {
        "children[0].nhs_number": "Child 1: Enter a valid NHS number, like 943 476 5919"
    }


def test_at_least_one_child_is_needed_and_extra_children_are_each_checked(cfc, today):
    answers = complete_answers(cfc, today, {"category": "other"})
    without = dict(answers, children=[])
    assert messages(validate(cfc, without, today))["children"] == "Add details of at least 1 child"
    answers["children"].append({"first_name": "Ben"})
    assert "children[1].last_name" in messages(validate(cfc, answers, today))


def test_a_form_cannot_be_submitted_while_a_required_answer_is_missing(cfc, today):
    answers = complete_answers(cfc, today, {"category": "missing_child"})
    del answers["last_seen_where"]
    with pytest.raises(SubmissionInvalid) as refused:
        submit(cfc, answers, today)
    assert [e.field for e in refused.value.errors] == ["last_seen_where"]


def test_the_page_view_shows_what_to_render(cfc, today):
    pages = FormState(
        cfc, {"category": "physical_abuse", "children": [{"first_name": "Amy"}]}, today
    ).pages()
    children = next(p for p in pages if p.section_id == "children")
    assert children.repeating and children.items[0].label == "Child 1"
    first_name = children.items[0].questions[0]
    assert (first_name.field, first_name.value, first_name.required) == (
        "children[0].first_name",
        "Amy",
        True,
    )
    injury = next(p for p in pages if p.section_id == "physical_abuse")
    assert [q.id for q in injury.items[0].questions][:2] == ["injury_types", "injury_description"]


def test_an_optional_repeating_page_starts_empty_and_requires_nothing(cfc, today):
    answers = complete_answers(cfc, today, {"category": "other"})
    household = next(
        p for p in FormState(cfc, answers, today).pages() if p.section_id == "household"
    )
    assert household.repeating and household.items == ()
    assert not any(e.section_id == "household" for e in validate(cfc, answers, today))
    answers["household"] = [{"adult_name": "Jo Smith"}]
    assert messages(validate(cfc, answers, today)) == {
        "household[0].relationship": "Adult 1: Select the adult's relationship to the child",
        "household[0].lives_with_child": "Adult 1: Select yes if this adult lives with the child",
    }


def test_coded_answers_use_the_products_vocabulary(cfc):
    assert set(cfc.question("consent").option_values) == {c.value for c in Consent}
    levels = set(cfc.question("level_of_need").option_values)
    assert levels == {lv.value for lv in LevelOfNeed} | {"not_sure"}


def test_one_page_can_be_checked_on_its_own(cfc, today):
    answers = {"category": "missing_child", "missing_now": "yes"}
    page = validate(cfc, answers, today, pages={"missing_child"})
    assert {e.section_id for e in page} == {"missing_child"}
    assert [e.field for e in page] == ["last_seen_date", "last_seen_where", "reported_to_police"]
    assert validate(cfc, answers, today, pages={"concern"}) == []
