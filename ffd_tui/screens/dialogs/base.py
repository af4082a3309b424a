"""The base of every dialog that asks for one change: it checks what was typed, hands the
screen that opened it a typed command, and stays open if the store refuses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.worker import Worker

from ffd_core.errors import FFDError
from ffd_tui.plain import plain
from ffd_tui.screens.dialogs.confirm import ConfirmDialog
from ffd_tui.screens.writes import refusal

Command = TypeVar("Command")
Read = TypeVar("Read")


class ActionDialog(ModalScreen[None], Generic[Command]):
    """``command()`` reads the fields into the dialog's command (or raises a one-line
    InvalidInput); after an optional confirmation, ``perform(command)`` (a ``@write`` method
    of the opening screen, see screens/writes.py) runs it. The dialog closes when that
    succeeds; when the store refuses (someone else changed the contact, a required field is
    missing) it shows why and keeps everything the officer typed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "Send", id="dialog.submit"),
        # The app's ? stops at a modal screen: a dialog lists its own keys too.
        Binding("question_mark", "app.help", "Help", id="dialog.help"),
    ]
    first_field: ClassVar[str] = ""  # the field that has the cursor when the dialog opens
    # Enter in a field (or on a list's choice) moves to the next field; in this one, confirms.
    enter_moves: ClassVar[Mapping[str, str]] = {}
    enter_confirms: ClassVar[str] = ""
    submit_words: ClassVar[str] = "confirm"

    def __init__(self, title: str, perform: Callable[[Command], Worker]) -> None:
        super().__init__()
        self.title_text = title
        self.help_title = title  # what ? calls this dialog
        self.perform = perform
        self.pending: Worker | None = None  # the write under way, if any

    # ------------------------------------------------------------------ layout
    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")  # names, addresses
            yield from self.compose_body()
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static(self.keys_hint(), classes="dialog-keys")

    def keys_hint(self) -> str:
        return (f"[b]{self.app.shown_key('dialog.submit')}[/] {self.submit_words}    "
                f"[b]{self.app.shown_key('dialog.cancel')}[/] back")

    def on_mount(self) -> None:
        self.show_error("")
        if self.first_field:
            self.query_one(self.first_field).focus()

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _entered(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        here = f"#{event.control.id}"
        if here == self.enter_confirms:
            self.action_submit()
        elif here in self.enter_moves:
            self.query_one(self.enter_moves[here]).focus()

    def show_error(self, message: str) -> None:
        error = self.query_one("#dialog-error", Static)
        error.update(plain(message))
        error.display = bool(message)

    # ------------------------------------------------------------------ the command
    def command(self) -> Command:
        raise NotImplementedError

    def confirm_question(self, command: Command) -> str | None:
        """A question to answer y to before the command goes, or None."""
        return None

    def problems(self, command: Command) -> list[str]:
        """Everything the service would refuse in ``command``, from its check-only function
        (nothing is written), so every problem shows at once and before any confirmation.
        None by default: the write itself checks."""
        return []

    problems_heading: ClassVar[str] = "this cannot be recorded: "

    def action_cancel(self) -> None:
        self.dismiss(None)

    def read(self, fields: Callable[[], Read]) -> Read | None:
        """What the fields say, or None with the reason shown (a one-line InvalidInput)."""
        try:
            return fields()
        except FFDError as error:
            self.show_error(str(error))
            return None

    def action_submit(self) -> None:
        command = self.read(self.command) if self.pending is None else None
        if command is None:
            return
        problems = self.read(lambda: self.problems(command))
        if problems is None:
            return
        if problems:
            self.show_error(self.problems_heading + "; ".join(problems))
            self.app.bell()
            return
        question = self.confirm_question(command)
        if question is None:
            self._send(command)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(command)

        self.app.push_screen(ConfirmDialog(question), answered)

    def _send(self, command: Command) -> None:
        self.show_error("")
        self.pending = self.perform(command)

    # ------------------------------------------------------------------ the answer
    def done(self) -> None:
        self.pending = None
        self.dismiss(None)

    def refused(self, error: Exception) -> None:
        self.pending = None
        self.show_error(refusal(error))
        self.app.bell()
