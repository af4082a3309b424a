"""The referrer answered by phone or email: the officer types or pastes what they said."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label

from ffd_tui.screens.dialogs.note import NoteDialog


@dataclass(frozen=True)
class ReplyIn:
    sender: str
    body: str


class ReplyDialog(NoteDialog):
    """A note's text box, plus who it came from; hands the screen a ReplyIn."""

    def compose_body(self) -> ComposeResult:
        yield Label("From")
        yield Input(id="sender")
        yield from super().compose_body()

    def command(self) -> ReplyIn:  # type: ignore[override]
        return ReplyIn(self.query_one("#sender", Input).value.strip(), self.body())
