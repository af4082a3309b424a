"""Sign in, and the idle lock that asks for the password again."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, Input, Label, Static

from ffd_core.errors import FFDError
from ffd_core.services import directory, sessions
from ffd_tui.plain import plain


class SignInScreen(Screen):
    help_title = "Sign in"  # what ? calls this screen
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "app.quit", "Quit", id="signin.quit")]

    def __init__(self, message: str = "") -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog signin"):
            yield Label(plain(f"Family Front Door — {self.app.ctx.config.council.name}"),
                        classes="dialog-title")
            yield Label("Username")
            yield Input(id="username")
            yield Label("Password")
            yield Input(id="password", password=True)
            yield Checkbox("Remember me on this computer", id="remember")
            yield Static(plain(self.message), id="signin-error", classes="dialog-error")
            yield Static("[b]Enter[/] sign in    [b]ctrl+q[/] quit", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#signin-error", Static).display = bool(self.message)
        self.query_one("#username", Input).focus()

    @on(Input.Submitted, "#username")
    def _to_password(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def _submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        remember = self.query_one("#remember", Checkbox).value
        ctx = self.app.ctx

        def failed(error: Exception) -> None:
            box = self.query_one("#signin-error", Static)
            box.update(plain(str(error) if isinstance(error, FFDError) else f"Cannot sign in: {error}"))
            box.display = True
            self.query_one("#password", Input).value = ""
            self.query_one("#password", Input).focus()

        self.app.run_store(self, lambda: directory.authenticate(ctx, username, password),
                           done=lambda actor: self.app.signed_in(actor, remember=remember,
                                                                 username=username),
                           failed=failed, group="signin")


class LockScreen(ModalScreen[None]):
    """Covers everything (no personal data shows through) until the password is given."""
    help_title = "Locked"  # what ? calls this screen

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "app.quit", "Quit", id="lock.quit")]

    def __init__(self, idle: bool = True) -> None:
        super().__init__()
        self.idle = idle  # locked for want of use, or by the person on purpose

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog signin"):
            yield Label("Locked", classes="dialog-title")
            why = (f"The console locked after {self.app.ctx.settings.idle_lock_minutes} minutes "
                   "without use." if self.idle else "You locked the console.")
            yield Static(plain(f"{why} {self.app.actor.name}, enter your password."))
            yield Input(id="password", password=True)
            yield Static("", id="lock-error", classes="dialog-error")
            yield Static("[b]Enter[/] unlock    [b]ctrl+q[/] quit", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#lock-error", Static).display = False
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def _submit(self) -> None:
        password = self.query_one("#password", Input).value
        ctx, actor = self.app.ctx, self.app.actor

        def failed(error: Exception) -> None:
            box = self.query_one("#lock-error", Static)
            box.update(plain(str(error)))
            box.display = True
            self.query_one("#password", Input).value = ""

        self.app.run_store(self, lambda: sessions.unlock(ctx, actor, password),
                           done=lambda _actor: self.app.unlock(), failed=failed, group="unlock")
