"""A yes/no question before something goes out or changes hands."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ffd_tui.plain import plain


class ConfirmDialog(ModalScreen[bool]):
    """y / Enter to go ahead, n / Esc to back out."""
    help_title = "Confirm"  # what ? calls this screen

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, message: str, title: str = "Confirm") -> None:
        super().__init__()
        self.message, self.title_text = message, title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Label(plain(self.title_text), classes="dialog-title")  # names, addresses
            yield Static(plain(self.message), classes="dialog-body")
            yield Static(f"[b]{self.app.shown_key('confirm.yes')}[/] yes    "
                         f"[b]{self.app.shown_key('confirm.no')}[/] / Esc no", classes="dialog-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
