from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ffd_core.forms.condition_syntax import from_data, parse_condition
from ffd_core.forms.conditions import Ref, evaluate, to_data
from ffd_core.forms.errors import ErrorSink

TODAY = date(2026, 11, 26)


class Answers:
    def __init__(self, **values):
        self.values_by_name = values
        self.today = TODAY

    def values(self, ref: Ref):
        value = self.values_by_name.get(ref.name)
        return value if isinstance(value, tuple) else [value]  # a tuple stands for repeated items


def holds(condition: dict, **answers) -> bool:
    return evaluate(from_data(condition, ["question"]), Answers(**answers))


def test_equals_matches_a_single_answer_or_a_ticked_box():
    assert holds({"question": "category", "equals": "neglect"}, category="neglect")
    assert not holds({"question": "category", "equals": "neglect"}, category="other")
    assert holds({"question": "injuries", "equals": "bruise"}, injuries=["burn", "bruise"])


def test_yaml_booleans_compare_with_yes_no_answers():
    assert holds({"question": "police", "equals": True}, police="yes")
    assert not holds({"question": "police", "equals": True}, police="no")


def test_one_of():
    condition = {"question": "category", "one_of": ["neglect", "physical_abuse"]}
    assert holds(condition, category="physical_abuse")
    assert not holds(condition, category="other")
    assert not holds(condition)


@pytest.mark.parametrize(
    "answer, empty",
    [(None, True), ("", True), ("   ", True), ([], True), ("x", False), (["a"], False)],
)
def test_is_empty(answer, empty):
    assert holds({"question": "q", "is_empty": True}, q=answer) is empty
    assert holds({"question": "q", "is_empty": False}, q=answer) is not empty


def test_before_and_after_accept_a_date_or_today():
    assert holds({"question": "d", "before": "today"}, d="2026-11-25")
    assert not holds({"question": "d", "before": "today"}, d="2026-11-26")
    assert holds({"question": "d", "after": "2026-01-01"}, d="2026-01-02")
    assert not holds({"question": "d", "after": "2026-01-01"}, d="not a date")


def test_age_under_counts_completed_years_and_includes_unborn_children():
    assert holds({"question": "dob", "age_under": 1}, dob="2025-11-27")  # 364 days old
    assert not holds({"question": "dob", "age_under": 1}, dob="2025-11-26")  # first birthday today
    assert holds({"question": "dob", "age_under": 1}, dob="2027-02-01")  # a due date


def test_at_least():
    assert holds({"question": "n", "at_least": 2}, n=2)
    assert not holds({"question": "n", "at_least": 2}, n=1)
    assert not holds({"question": "n", "at_least": 2}, n="many")


def test_combinations():
    both = {"all": [{"question": "a", "equals": "yes"}, {"question": "b", "equals": "yes"}]}
    either = {"any": [{"question": "a", "equals": "yes"}, {"question": "b", "equals": "yes"}]}
    assert holds(both, a="yes", b="yes") and not holds(both, a="yes", b="no")
    assert holds(either, a="no", b="yes") and not holds(either, a="no", b="no")
    assert holds({"not": {"question": "a", "equals": "yes"}}, a="no")


def test_a_comparison_holds_when_any_child_matches_but_is_empty_needs_all_empty():
    assert holds({"question": "dob", "age_under": 2}, dob=("2010-01-01", "2026-01-01"))
    assert not holds({"question": "name", "is_empty": True}, name=("", "Amy"))


@pytest.mark.parametrize(
    "condition, complaint",
    [
        ({"question": "a", "equal": "x"}, "unknown word 'equal'"),
        ({"question": "a"}, "exactly one"),
        ({"question": "a", "one_of": "x"}, "needs a list"),
        ({"question": "a", "before": "yesterday"}, "YYYY-MM-DD"),
        ({"question": "a", "age_under": -1}, "number from 0 to 120"),
        ({"all": [{"question": "a", "equals": 1}]}, "at least two"),
        (
            {
                "all": [{"question": "a", "equals": 1}, {"question": "b", "equals": 1}],
                "question": "c",
            },
            "only key",
        ),
        ("neglect", "must be a mapping"),
    ],
)
def test_mistakes_are_explained(condition, complaint):
    sink = ErrorSink("cfc.yaml")
    assert parse_condition(condition, sink, ["question"]) is None
    assert complaint in sink.errors[0].message
    assert "condition is" in sink.errors[0].hint


names = st.sampled_from(["category", "dob", "police"])
leaves = st.one_of(
    st.builds(lambda n, v: {"question": n, "equals": v}, names, st.sampled_from(["yes", "no", 3])),
    st.builds(
        lambda n, v: {"question": n, "one_of": v},
        names,
        st.lists(st.sampled_from(["a", "b"]), min_size=1),
    ),
    st.builds(lambda n, v: {"question": n, "is_empty": v}, names, st.booleans()),
    st.builds(
        lambda n, v: {"question": n, "before": v}, names, st.sampled_from(["today", "2020-02-29"])
    ),
    st.builds(lambda n, v: {"question": n, "age_under": v}, names, st.integers(0, 18)),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=6,
)


@given(conditions)
def test_written_conditions_read_back_unchanged(data):
    condition = from_data(data, ["question"])
    assert to_data(condition) == data
    assert from_data(to_data(condition), ["question"]) == condition
