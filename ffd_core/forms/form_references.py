"""Checks that a form's conditions point at real questions, in an order that can be shown.

A section's condition may only use answers from earlier pages; a question's condition may
also use its own page (that is how a conditional reveal such as "tick 'not known'" works),
but a circle of such conditions would make visibility undecidable, so circles are refused.
"""

from __future__ import annotations

from .conditions import Compare, comparisons
from .errors import ErrorSink
from .model import CHOICE_TYPES, FormDefinition
from .reading import suggest

DATE_OPERATORS = {"before", "after", "age_under"}


def check_references(
    definition: FormDefinition, lines: dict[str, int | None], sink: ErrorSink
) -> None:
    page_of = {q.id: i for i, s in enumerate(definition.sections) for q in s.questions}
    if definition.category_question is not None:
        if (
            definition.category_question not in page_of
            or definition.question(definition.category_question).type != "choice"
        ):
            sink.add(
                lines.get(".category_question"),
                f"category_question '{definition.category_question}' must name a choice question in the form",
            )
    same_page: dict[str, set[str]] = {}
    for page, section in enumerate(definition.sections):
        owners = [(section.id, "show_when", section.show_when, False)]
        for q in section.questions:
            owners += [
                (q.id, "show_when", q.show_when, True),
                (q.id, "required_when", q.required_when, True),
            ]
        for owner, key, condition, may_look_at_own_page in owners:
            line = lines.get(f"{owner}.{key}") or lines.get(owner)
            for compare in comparisons(condition):
                target = compare.ref.name
                if not _check_compare(definition, compare, owner, line, sink, page_of):
                    continue
                if page_of[target] > page or (page_of[target] == page and not may_look_at_own_page):
                    sink.add(
                        line,
                        f"the condition on '{owner}' looks at '{target}', which is not asked before it",
                        "a condition can only use answers from an earlier page (or, for a question, its own page)",
                    )
                elif page_of[target] == page and key == "show_when":
                    same_page.setdefault(owner, set()).add(target)
    for question_id in _in_a_circle(same_page):
        sink.add(
            lines.get(f"{question_id}.show_when"),
            f"'{question_id}' is shown depending on a question that depends on it",
            "break the circle: one of the questions must always show",
        )


def _in_a_circle(edges: dict[str, set[str]]) -> list[str]:
    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                if reaches(nxt, goal, seen):
                    return True
        return False

    return [node for node in edges if reaches(node, node, set())]


def _check_compare(definition, compare: Compare, owner, line, sink: ErrorSink, page_of) -> bool:
    """Check what a comparison points at; False when the target does not exist."""
    target = compare.ref.name
    if target not in page_of:
        sink.add(
            line,
            f"the condition on '{owner}' refers to '{target}', which is not a question in this form",
            "check the spelling" + suggest(target, page_of),
        )
        return False
    if target == owner:
        sink.add(line, f"the condition on '{owner}' refers to its own answer")
        return False
    question = definition.question(target)
    if compare.op in DATE_OPERATORS and question.type != "date":
        sink.add(line, f"'{compare.op}' needs a date question, but '{target}' is {question.type}")
    if compare.op in ("equals", "one_of") and question.type in CHOICE_TYPES:
        values = compare.operand if compare.op == "one_of" else (compare.operand,)
        for value in values:
            value = (
                {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
            )
            if value not in question.option_values:
                sink.add(
                    line,
                    f"the condition on '{owner}' compares '{target}' with {value!r}, which is not one of its options",
                    "options are: "
                    + ", ".join(question.option_values)
                    + suggest(value, question.option_values),
                )
    return True
