"""`?`: the keys that work on the screen beneath, for this role."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from ffd_tui.plain import add_plain_row


def key_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, what it does, binding id) for every binding usable on ``screen`` now."""
    app = screen.app
    seen: dict[tuple[int, str], list[str]] = {}
    described: dict[tuple[int, str], tuple[str, str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not active.enabled or not binding.id:
            continue  # Textual's own scrolling and focus keys are not listed
        ident = (id(active.node), binding.action)
        seen.setdefault(ident, []).append(app.get_key_display(binding.__class__(
            key, binding.action, binding.description)))
        described[ident] = (binding.description, binding.id or "")
    return [(" ".join(dict.fromkeys(keys)), *described[ident]) for ident, keys in seen.items()]


def help_title(screen: Screen) -> str:
    """The screen's name in words (every console screen has one; a dialog's is its title)."""
    return getattr(screen, "help_title", "") or screen.__class__.__name__


class HelpScreen(ModalScreen[None]):
    help_title = "Keys"  # what ? calls this screen
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(self, beneath: Screen) -> None:
        super().__init__()
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        table = Table(box=None, header_style="bold", expand=True)
        table.add_column("Keys", style="bold", no_wrap=True)
        table.add_column("Does")
        table.add_column("Id (for the \\[keymap] table)", style="dim")
        for keys, does, ident in key_rows(self.beneath):
            add_plain_row(table, keys, does, ident)
        with Vertical(classes="dialog help"):
            yield Label(f"Keys — {help_title(self.beneath)}",
                        classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Static("[b]Esc[/] close   ctrl+p: every command by name", classes="dialog-keys")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
