"""What the form-like dialogs share: the council's categories and the tab hint, a labelled
column, a typed date of birth."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select
from textual.worker import Worker

from ffd_core.domain.contact import NOT_RECORDED
from ffd_core.domain.vocab import Consent
from ffd_core.errors import InvalidInput
from ffd_tui.screens.dialogs.base import ActionDialog, Command

Parsed = TypeVar("Parsed")

CONSENT = [("given", Consent.GIVEN.value), ("refused", Consent.REFUSED.value),
           ("not sought: risk to the child", Consent.NOT_SOUGHT_RISK.value)]


class FormDialog(ActionDialog[Command]):
    """Several fields, Tab between them, and a choice of the council's own categories."""

    problems_heading = NOT_RECORDED

    def __init__(self, title: str, perform: Callable[[Command], Worker],
                 categories: list[tuple[str, str]]) -> None:
        super().__init__(title, perform)
        self.categories = categories  # (label, value), from ffd_core
        self.mistyped: list[str] = []  # fields that could not be read, from the last command()

    def keys_hint(self) -> str:
        return "[b]tab[/] next field    " + super().keys_hint()

    def typed(self, parse: Callable[[str], Parsed], raw: str) -> Parsed | None:
        """``parse(raw)``, or None with the reason kept to show with every other problem."""
        try:
            return parse(raw)
        except InvalidInput as error:
            self.mistyped.append(str(error))
            return None

    def command(self) -> Command:
        self.mistyped = []
        return self.read_fields()

    def read_fields(self) -> Command:
        raise NotImplementedError

    def problems(self, command: Command) -> list[str]:
        return [*self.mistyped, *self.check(command)]

    def check(self, command: Command) -> list[str]:
        """The service's check-only function on ``command``."""
        raise NotImplementedError


def column(label: str, widget: Input | Select) -> ComposeResult:
    with Vertical(classes="column"):
        yield Label(label)
        yield widget


def date_of_birth(raw: str) -> date | None:
    """dd/mm/yyyy as typed (blank: not known)."""
    try:
        return datetime.strptime(raw, "%d/%m/%Y").date() if raw else None
    except ValueError:
        raise InvalidInput("write the date of birth as dd/mm/yyyy") from None
