import copy
import textwrap

import pytest

from ffd_core.domain.vocab import ContactKind
from ffd_core.forms import FormDefinition
from ffd_core.forms.definition_reader import read_definition
from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.yaml_source import parse_yaml

SMALL_FORM = """\
form_id: small
version: 1
kind: cause_for_concern
title: A small form
category_question: category
sections:
  - id: first
    title: First
    questions:
      - id: category
        type: choice
        label: Category
        required: true
        options:
          - {value: neglect, label: Neglect}
          - {value: other, label: Other}
  - id: second
    title: Second
    show_when: {question: category, equals: neglect}
    questions:
      - id: details
        type: long_text
        label: Details
"""


def read(text: str):
    node, errors = parse_yaml(textwrap.dedent(text), "form.yaml")
    assert errors == []
    sink = ErrorSink("form.yaml")
    return read_definition(node, sink), sink.errors


def test_a_valid_form_reads_without_errors():
    definition, errors = read(SMALL_FORM)
    assert errors == []
    assert definition.kind is ContactKind.CAUSE_FOR_CONCERN
    assert [o.value for o in definition.categories] == ["neglect", "other"]


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("        type: long_text", "        type: longtext", 22, "has type 'longtext'"),
        (
            "        label: Details",
            "        label: Details\n        colour: red",
            24,
            "unknown key 'colour'",
        ),
        ("equals: neglect}", "equals: neglet}", 19, "not one of its options"),
        (
            "{question: category, equals",
            "{question: categroy, equals",
            19,
            "not a question in this form",
        ),
        ("  - id: second", "  - id: category", 17, "used twice"),
        ("version: 1", "version: one", 2, "whole number"),
        ("kind: cause_for_concern", "kind: complaint", 3, "'kind'"),
    ],
)
def test_each_mistake_names_its_line(old, new, line, message):
    assert old in SMALL_FORM
    definition, errors = read(SMALL_FORM.replace(old, new))
    assert definition is None
    assert any(e.line == line and message in e.message for e in errors), errors


def test_a_misspelt_type_gets_a_suggestion():
    _, errors = read(SMALL_FORM.replace("type: long_text", "type: long_txt"))
    assert "did you mean 'long_text'" in errors[0].hint


def test_a_section_cannot_depend_on_an_answer_from_a_later_page():
    text = SMALL_FORM.replace(
        "    title: First\n",
        "    title: First\n    show_when: {question: details, is_empty: true}\n",
    )
    _, errors = read(text)
    assert any("not asked before it" in e.message for e in errors)


def test_questions_on_one_page_cannot_show_each_other_in_a_circle():
    text = SMALL_FORM.replace(
        "        label: Details\n",
        "        label: Details\n        show_when: {question: more, is_empty: false}\n"
        "      - id: more\n        type: text\n        label: More\n"
        "        show_when: {question: details, is_empty: false}\n",
    )
    _, errors = read(text)
    assert any("depends on it" in e.message for e in errors)


def test_a_date_comparison_needs_a_date_question():
    text = SMALL_FORM.replace(
        "{question: category, equals: neglect}", "{question: category, age_under: 2}"
    )
    _, errors = read(text)
    assert any("needs a date question" in e.message for e in errors)


def test_snapshot_round_trip_keeps_every_detail(cfc, rfi):
    for definition in (cfc, rfi):
        snapshot = copy.deepcopy(definition.to_snapshot())
        again = FormDefinition.from_snapshot(snapshot)
        assert again == definition
        assert again.content_hash == definition.content_hash
        assert again.to_snapshot() == definition.to_snapshot()


def test_content_hash_changes_with_any_wording_and_ignores_comments_and_layout():
    definition, _ = read(SMALL_FORM)
    relaid, _ = read(
        "# a comment\n"
        + SMALL_FORM.replace("{value: other, label: Other}", "{label: Other, value: other}")
    )
    reworded, _ = read(SMALL_FORM.replace("label: Details", "label: Tell us more"))
    assert relaid.content_hash == definition.content_hash
    assert reworded.content_hash != definition.content_hash
    assert len(definition.content_hash) == 64


def test_a_damaged_snapshot_is_refused():
    snapshot = read(SMALL_FORM)[0].to_snapshot()
    snapshot["sections"][0]["questions"][0]["type"] = "slider"
    with pytest.raises(ValueError, match="slider"):
        FormDefinition.from_snapshot(snapshot)


def test_the_category_question_must_be_a_choice_in_the_form():
    _, errors = read(
        SMALL_FORM.replace("category_question: category", "category_question: details")
    )
    assert [(e.line, e.message) for e in errors] == [
        (5, "category_question 'details' must name a choice question in the form")
    ]
