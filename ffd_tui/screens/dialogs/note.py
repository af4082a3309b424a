"""An internal note on a contact (never shown to the referrer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Label, TextArea
from textual.worker import Worker

from ffd_core.errors import InvalidInput
from ffd_tui.screens.dialogs.base import ActionDialog


@dataclass(frozen=True)
class NoteText:
    body: str


class NoteDialog(ActionDialog[NoteText]):
    first_field = "#body"
    submit_words = "save"

    def __init__(self, title: str, perform: Callable[[NoteText], Worker], *,
                 prompt: str = "Note", initial: str = "") -> None:
        super().__init__(title, perform)
        self.prompt, self.initial = prompt, initial

    def compose_body(self) -> ComposeResult:
        yield Label(self.prompt)
        yield TextArea(self.initial, id="body", soft_wrap=True)

    def body(self) -> str:
        body = self.query_one("#body", TextArea).text.strip()
        if not body:
            raise InvalidInput(f"{self.prompt.lower()} is empty")
        return body

    def command(self) -> NoteText:
        return NoteText(self.body())
