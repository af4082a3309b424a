"""Give one or more contacts to an officer: pick them (type to jump, arrows), say why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker

from ffd_core.errors import InvalidInput
from ffd_tui.plain import plain
from ffd_tui.screens.dialogs.base import ActionDialog


@dataclass(frozen=True)
class Allocation:
    owner_id: int
    owner_name: str
    reason: str


class AllocateDialog(ActionDialog[Allocation]):
    first_field = "#staff"
    enter_moves = {"#staff": "#reason"}
    enter_confirms = "#reason"

    def __init__(self, title: str, perform: Callable[[Allocation], Worker],
                 staff: list[tuple[int, str]], count: int) -> None:
        super().__init__(title, perform)
        self.staff, self.count = staff, count

    def keys_hint(self) -> str:
        return "[b]Enter[/] / " + super().keys_hint()

    def compose_body(self) -> ComposeResult:
        yield Label("Officer")
        yield OptionList(*[Option(plain(name), id=str(uid)) for uid, name in self.staff], id="staff")
        yield Label("Reason (needed when reallocating)")
        yield Input(id="reason")

    def command(self) -> Allocation:
        options = self.query_one("#staff", OptionList)
        if options.highlighted is None:
            raise InvalidInput("choose an officer")
        option = options.get_option_at_index(options.highlighted)
        return Allocation(int(option.id or 0), str(option.prompt),
                          self.query_one("#reason", Input).value.strip())

    def confirm_question(self, command: Allocation) -> str:
        return f"Allocate {self.count} contact(s) to {command.owner_name}?"
