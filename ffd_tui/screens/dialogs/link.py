"""Link this contact to another one about the same child, named by its reference."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label

from ffd_core.errors import InvalidInput
from ffd_tui.screens.dialogs.base import ActionDialog


@dataclass(frozen=True)
class LinkTo:
    reference: str
    reason: str


class LinkDialog(ActionDialog[LinkTo]):
    first_field = "#other"
    enter_moves = {"#other": "#reason"}
    enter_confirms = "#reason"
    submit_words = "link"

    def keys_hint(self) -> str:
        return "[b]Enter[/] on reason / " + super().keys_hint()

    def compose_body(self) -> ComposeResult:
        yield Label("Reference of the other contact")
        yield Input(id="other", placeholder="FFD-2026-000123")
        yield Label("Reason")
        yield Input("same child", id="reason")

    def command(self) -> LinkTo:
        other = self.query_one("#other", Input).value.strip()
        if not other:
            raise InvalidInput("give the other contact's reference")
        return LinkTo(other, self.query_one("#reason", Input).value.strip())
