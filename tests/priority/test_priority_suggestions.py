import textwrap
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ffd_core.domain.vocab import Priority
from ffd_core.forms import default_config
from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.yaml_source import parse_yaml
from ffd_core.priority import PriorityFacts, dates_of_birth, read_rules, suggest_priority

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def rules():
    return default_config().priority_rules


def known(**facts):
    """Facts as they will be once the single view is connected: everything known."""
    values = {
        "police_involved": False,
        "recent_contacts_same_child": 0,
        "open_to_social_care": False,
    }
    values.update(facts)
    return PriorityFacts(today=TODAY, **values)


def fired(suggestion):
    return [f.rule_id for f in suggestion.fired]


def test_a_non_mobile_baby_with_a_bruise_is_immediate(rules):
    answers = {
        "non_mobile": "yes",
        "injury_types": ["bruise", "cut"],
        "children": [{"dob": "2026-08-01"}],
    }
    suggestion = suggest_priority(
        rules,
        known(
            answers=answers, category="physical_abuse", child_dates_of_birth=dates_of_birth(answers)
        ),
    )
    assert suggestion.priority is Priority.IMMEDIATE
    assert "non_mobile_bruising" in fired(suggestion)
    assert "A non-mobile baby has bruising; this must be seen the same day." in suggestion.reasons


def test_a_bruise_on_a_mobile_child_is_not_immediate(rules):
    answers = {"non_mobile": "no", "injury_types": ["bruise"]}
    suggestion = suggest_priority(
        rules,
        known(answers=answers, category="physical_abuse", child_dates_of_birth=[date(2015, 1, 1)]),
    )
    assert suggestion.priority is Priority.STANDARD
    assert suggestion.fired == ()
    assert suggestion.reasons == ["No rule applies: standard priority."]


def test_missing_now_is_immediate(rules):
    suggestion = suggest_priority(
        rules, known(answers={"missing_now": "yes"}, category="missing_child")
    )
    assert (suggestion.priority, fired(suggestion)) == (Priority.IMMEDIATE, ["missing_now"])


def test_police_attended_domestic_abuse_with_the_child_present_is_high(rules):
    answers = {"police_attended": "yes", "child_present": "yes", "risk_level": "medium"}
    suggestion = suggest_priority(rules, known(answers=answers, category="domestic_abuse"))
    assert (suggestion.priority, fired(suggestion)) == (
        Priority.HIGH,
        ["domestic_abuse_police_child_present"],
    )
    absent = suggest_priority(
        rules, known(answers={**answers, "child_present": "no"}, category="domestic_abuse")
    )
    assert absent.priority is Priority.STANDARD


def test_the_most_urgent_rule_wins_and_every_fired_rule_is_listed(rules):
    answers = {"police_attended": "yes", "child_present": "yes", "at_risk_today": "yes"}
    suggestion = suggest_priority(rules, known(answers=answers, category="domestic_abuse"))
    assert suggestion.priority is Priority.IMMEDIATE
    assert fired(suggestion) == ["at_risk_today", "domestic_abuse_police_child_present"]


def test_the_third_contact_in_three_months_raises_one_level(rules):
    assert suggest_priority(rules, known(recent_contacts_same_child=2)).priority is Priority.HIGH
    assert (
        suggest_priority(rules, known(recent_contacts_same_child=1)).priority is Priority.STANDARD
    )
    early_help = known(
        answers={"help_needed": "early_help"},
        category="parenting_support",
        recent_contacts_same_child=5,
    )
    assert (
        suggest_priority(rules, early_help).priority is Priority.STANDARD
    )  # low, raised one level
    already_immediate = known(answers={"missing_now": "yes"}, recent_contacts_same_child=3)
    assert suggest_priority(rules, already_immediate).priority is Priority.IMMEDIATE


def test_a_child_open_to_social_care_is_routed_to_the_allocated_team(rules):
    suggestion = suggest_priority(rules, known(open_to_social_care=True))
    assert suggestion.routes == ("Route to the allocated worker's team",)
    assert suggestion.priority is Priority.STANDARD


def test_rules_needing_facts_not_yet_known_are_inactive_not_false(rules):
    suggestion = suggest_priority(rules, PriorityFacts(today=TODAY, answers={"missing_now": "yes"}))
    inactive = {r.rule_id: r.missing_facts for r in suggestion.inactive}
    assert inactive["open_to_social_care"] == ("open_to_social_care",)
    assert inactive["repeat_contacts"] == ("recent_contacts_same_child",)
    assert "exploitation" not in inactive  # no category (a request for information) is a known fact
    assert fired(suggestion) == ["missing_now"]
    assert not set(inactive) & set(fired(suggestion))


def test_a_baby_or_unborn_child_with_a_neglect_concern_is_high(rules):
    for born in (date(2026, 3, 1), date(2027, 2, 1)):  # eight months old; due in February
        facts = known(category="neglect", child_dates_of_birth=[date(2012, 1, 1), born])
        assert suggest_priority(rules, facts).priority is Priority.HIGH


def test_child_ages_come_from_dates_of_birth_and_today():
    facts = PriorityFacts(
        today=TODAY,
        child_dates_of_birth=[date(2016, 11, 26), date(2016, 11, 27), None, date(2027, 1, 1)],
    )
    assert facts.child_ages == [10, 9, None, -1]


RULES = """\
version: 1
default_priority: 3
recent_contacts_window_days: 91
rules:
  - id: missing
    reason: Missing now
    when: {answer: missing_now, equals: "yes"}
    then: {priority: 1}
"""


def read(text):
    node, _ = parse_yaml(textwrap.dedent(text), "priority_rules.yaml")
    sink = ErrorSink("priority_rules.yaml")
    return read_rules(node, sink, {"missing_now"}, {"missing_child"}), sink.errors


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        (
            "{answer: missing_now,",
            "{answer: missing_nw,",
            7,
            "no form asks a question with id 'missing_nw'",
        ),
        (
            '{answer: missing_now, equals: "yes"}',
            "{fact: open_to_care, equals: true}",
            7,
            "unknown fact 'open_to_care'",
        ),
        (
            '{answer: missing_now, equals: "yes"}',
            "{fact: category, equals: missing}",
            7,
            "category 'missing'",
        ),
        ("then: {priority: 1}", "then: {priority: 5}", 8, "1, 2, 3 or 4"),
        ("then: {priority: 1}", "then: {priority: 1, raise: 1}", 8, "exactly one thing"),
        ("default_priority: 3", "default_priority: urgent", 2, "1, 2, 3 or 4"),
    ],
)
def test_rule_mistakes_name_their_line(old, new, line, message):
    result, errors = read(RULES.replace(old, new))
    assert result is None
    assert any(e.line == line and message in e.message for e in errors), errors


def test_the_window_for_recent_contacts_is_data(rules):
    rules_read, errors = read(RULES)
    assert errors == [] and rules_read.recent_contacts_window_days == 91
    assert rules.recent_contacts_window_days == 91


def test_police_involvement_in_abuse_is_high_and_inactive_until_known(rules):
    assert (
        suggest_priority(rules, known(category="sexual_abuse", police_involved=True)).priority
        is Priority.HIGH
    )
    unknown = suggest_priority(rules, PriorityFacts(today=TODAY, category="sexual_abuse"))
    assert "police_involved_in_abuse" in {r.rule_id for r in unknown.inactive}


facts_strategy = st.builds(
    PriorityFacts,
    today=st.just(TODAY),
    answers=st.dictionaries(
        st.sampled_from(
            [
                "non_mobile",
                "injury_types",
                "missing_now",
                "at_risk_today",
                "police_attended",
                "child_present",
                "help_needed",
            ]
        ),
        st.sampled_from(["yes", "no", ["bruise"], "early_help", None]),
    ),
    category=st.one_of(
        st.none(),
        st.sampled_from(["physical_abuse", "neglect", "domestic_abuse", "parenting_support"]),
    ),
    child_dates_of_birth=st.lists(
        st.one_of(st.none(), st.dates(date(2005, 1, 1), date(2027, 6, 1))), max_size=3
    ),
    police_involved=st.one_of(st.none(), st.booleans()),
    recent_contacts_same_child=st.one_of(st.none(), st.integers(0, 6)),
    open_to_social_care=st.one_of(st.none(), st.booleans()),
)


@given(facts_strategy)
def test_every_suggestion_is_explained(rules, facts):
    suggestion = suggest_priority(rules, facts)
    fired_ids = set(fired(suggestion))
    inactive_ids = {r.rule_id for r in suggestion.inactive}
    assert suggestion.priority in Priority
    assert not fired_ids & inactive_ids
    assert fired_ids | inactive_ids <= {r.id for r in rules.rules}
    if suggestion.priority != rules.default_priority:
        assert suggestion.fired, "a priority other than the default must come from a rule"
    for rule in suggestion.inactive:
        assert all(getattr(facts, name) is None for name in rule.missing_facts)
