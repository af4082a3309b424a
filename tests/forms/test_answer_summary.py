from example_answers import complete_answers

from ffd_core.forms import answer_summary


def test_check_answers_shows_labels_in_page_order(cfc, today):
    answers = complete_answers(cfc, today, {"category": "physical_abuse"})
    answers["injury_types"] = ["bruise", "burn"]
    answers["children"][0].update(first_name="Amy", dob="2019-05-04", gender="female")
    rows = answer_summary(cfc, answers, today)

    by_field = {r.field: r for r in rows}
    assert by_field["category"].answer == "Physical abuse or injury"
    assert by_field["injury_types"].answer == "Bruising, Burn or scald"
    assert by_field["children[0].dob"].answer == "4 May 2019"
    assert by_field["children[0].gender"].answer == "Female"
    assert by_field["non_mobile"].answer == "No"
    assert by_field["children[0].first_name"].item_label == "Child 1"

    pages = [r.section_id for r in rows]
    assert pages.index("concern") < pages.index("children") < pages.index("physical_abuse")
    assert pages.index("physical_abuse") < pages.index("referrer")


def test_hidden_and_empty_answers_are_left_out(cfc, today):
    rows = answer_summary(
        cfc, {"category": "neglect", "missing_now": "yes", "child_views": ""}, today
    )
    assert [r.field for r in rows] == ["category"]


def test_a_ticked_not_known_box_reads_as_its_label(cfc, today):
    answers = {"category": "other", "children": [{"first_name": "Amy", "dob_not_known": "yes"}]}
    rows = {r.field: r.answer for r in answer_summary(cfc, answers, today)}
    assert rows["children[0].dob_not_known"] == "Not known"
