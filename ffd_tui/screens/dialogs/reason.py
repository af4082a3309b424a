"""One line of reason: priority, return, take over, withdraw, reopen, a match decision..."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label, Static
from textual.worker import Worker

from ffd_core.errors import InvalidInput
from ffd_tui.plain import plain
from ffd_tui.screens.dialogs.base import ActionDialog


@dataclass(frozen=True)
class Reason:
    text: str


class ReasonDialog(ActionDialog[Reason]):
    """Enter confirms."""

    first_field = enter_confirms = "#reason"

    def __init__(self, title: str, perform: Callable[[Reason], Worker], *,
                 prompt: str = "Reason", initial: str = "", detail: str = "",
                 required: bool = True) -> None:
        super().__init__(title, perform)
        self.prompt, self.initial, self.detail, self.required = prompt, initial, detail, required

    def keys_hint(self) -> str:
        return "[b]Enter[/] / " + super().keys_hint()

    def compose_body(self) -> ComposeResult:
        if self.detail:
            yield Static(plain(self.detail), classes="dialog-body")
        yield Label(self.prompt)
        yield Input(self.initial, id="reason", placeholder=self.prompt)

    def command(self) -> Reason:
        reason = self.query_one("#reason", Input).value.strip()
        if self.required and not reason:
            raise InvalidInput(f"{self.prompt.lower()} is required")
        return Reason(reason)
