"""What the priority rules look at: plain facts gathered by services, no database here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ffd_core.domain.contact import NewContact
from ffd_core.forms.dates import age_in_years, parse_date

FACT_NAMES = (
    "category",
    "police_involved",
    "child_date_of_birth",
    "recent_contacts_same_child",
    "open_to_social_care",
)


@dataclass(frozen=True)
class PriorityFacts:
    """None means "not known yet" (for instance before the single view is connected): a rule
    that needs such a fact is reported as inactive rather than silently false."""

    today: date
    answers: Mapping[str, Any] = field(default_factory=dict)
    category: str | None = None
    child_dates_of_birth: Sequence[date | None] = ()  # due dates for unborn children
    police_involved: bool | None = None
    recent_contacts_same_child: int | None = None
    open_to_social_care: bool | None = None

    @property
    def child_ages(self) -> list[int | None]:
        """Completed years per child; -1 for an unborn child; None where the date is not known."""
        return [
            None if born is None else age_in_years(born, self.today)
            for born in self.child_dates_of_birth
        ]

    def fact(self, name: str) -> list[Any] | None:
        """The values of a fact, or None when it is not known yet."""
        # A contact without a category (a request for information) is known to have none,
        # and unknown dates of birth are simply absent: only the other facts can be "not yet".
        if name == "child_date_of_birth":
            return [d for d in self.child_dates_of_birth if d is not None]
        if name == "category":
            return [] if self.category is None else [self.category]
        value = getattr(self, name)
        return None if value is None else [value]

    def answer(self, question_id: str) -> list[Any]:
        """An answer wherever it sits: top level, or once per item of a repeating section."""
        if question_id in self.answers:
            return [self.answers[question_id]]
        found = []
        for value in self.answers.values():
            if isinstance(value, list):
                found += [
                    item[question_id]
                    for item in value
                    if isinstance(item, Mapping) and question_id in item
                ]
        return found


def dates_of_birth(answers: Mapping[str, Any], section: str = "children") -> list[date | None]:
    """Each child's date of birth (or due date) from a cause-for-concern submission."""
    children = answers.get(section) or []
    return [
        parse_date(c.get("dob") or c.get("due_date")) for c in children if isinstance(c, Mapping)
    ]


def police_involved(answers: Mapping[str, Any], agency_name: str) -> bool:
    """Police attended or were told, or the police made the contact."""
    return (answers.get("police_attended") == "yes" or answers.get("reported_to_police") == "yes"
            or "police" in agency_name.lower() or "constabulary" in agency_name.lower())


def facts_for(new: NewContact, today: date, recent_contacts: int | None = None,
              open_to_social_care: bool | None = None) -> PriorityFacts:
    """The facts of a contact on receipt (the single view's facts come later, once an
    officer links the child)."""
    return PriorityFacts(
        today=today, answers=new.answers, category=new.category or None,
        child_dates_of_birth=[c.date_of_birth or c.expected_due_date for c in new.children]
        or dates_of_birth(new.answers),
        police_involved=police_involved(new.answers, new.referrer.agency_name),
        recent_contacts_same_child=recent_contacts, open_to_social_care=open_to_social_care,
    )
