"""Messages that go out (supervisors): today's figures, every queued, sent and failed
message newest first, the email as sent, and a retry of a dead letter with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ffd_core.domain.access import Action
from ffd_core.services import deliveries, referrer_mail
from ffd_core.services.deliveries import Delivery, DeliveryFigures
from ffd_core.services.outbox import EMAIL, DeliveryState
from ffd_tui.format import format_uk_datetime
from ffd_tui.screens.dialogs import Reason, ReasonDialog
from ffd_tui.screens.writes import Writer, write
from ffd_tui.widgets.counters import CountersStrip

SHOWN = {None: "All messages", DeliveryState.DEAD: "Failed (dead letters)",
         DeliveryState.PENDING: "Waiting", DeliveryState.SENT: "Sent"}
STATE_STYLE = {DeliveryState.DEAD: "bold red", DeliveryState.SENT: "green",
               DeliveryState.SENDING: "yellow"}
LIMIT = 300


class OutboxScreen(Writer, Screen):
    help_title = "Outbox"  # what ? calls this screen
    @dataclass
    class Queued(Message, bubble=False):
        """A dead letter goes out again."""

        said: str

    DEFAULT_CSS = """
    OutboxScreen #outbox-panes { height: 1fr; }
    OutboxScreen #outbox-list { width: 3fr; height: 1fr; margin: 0 1; }
    OutboxScreen #outbox-right { width: 2fr; border-left: wide $accent; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="outbox.back"),
        Binding("a", "show('')", "All", id="outbox.all"),
        Binding("f", "show('dead')", "Failed", id="outbox.failed"),
        Binding("w", "show('pending')", "Waiting", id="outbox.waiting"),
        Binding("s", "show('sent')", "Sent", id="outbox.sent"),
        Binding("r", "retry", "Retry", id="outbox.retry"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="outbox.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.state: DeliveryState | None = None
        self.rows: list[Delivery] = []

    def compose(self) -> ComposeResult:
        yield CountersStrip(self.app.who)
        yield Static("Messages that go out", id="outbox-title", classes="title-bar")
        with Horizontal(id="outbox-panes"):
            yield OptionList(id="outbox-list")
            with VerticalScroll(id="outbox-right"):
                yield Static("Choose a message to see it.", id="outbox-letter")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def store_changed(self, changes: list[tuple[int, int | None, str]]) -> None:
        if any(kind.startswith("outbox.") for _seq, _cid, kind in changes):
            self.action_reload()

    # ------------------------------------------------------------------ roles
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            if not self.app.may(Action.RETRY_DELIVERY):
                return False
            chosen = self._chosen()
            return True if chosen is not None and chosen.state == DeliveryState.DEAD else None
        return True

    # ------------------------------------------------------------------ loading
    def action_reload(self) -> None:
        ctx, actor, state = self.app.ctx, self.app.actor, self.state

        def work() -> tuple[DeliveryFigures, list[Delivery]]:
            return (deliveries.figures_today(ctx, actor),
                    deliveries.list_outbox(ctx, actor, state=state, limit=LIMIT))

        self.app.run_store(self, work, done=self._loaded, group="outbox-load", exclusive=True)

    def _loaded(self, result: tuple[DeliveryFigures, list[Delivery]]) -> None:
        figures, self.rows = result
        title = Text()
        title.append(f"{SHOWN[self.state]} ({len(self.rows)}{'+' if len(self.rows) == LIMIT else ''})",
                     style="bold")
        title.append("   a all  f failed  w waiting  s sent", style="dim")
        title.append(
            f"\nToday: {figures.acknowledged_within_a_minute}/{figures.acknowledgements} "
            f"acknowledged within a minute, {figures.outcomes_within_target}/{figures.outcomes} "
            f"outcomes sent within the decision target, {figures.bounced} bounced, "
            f"{figures.dead_letters} dead letters, {figures.waiting} waiting")
        self.query_one("#outbox-title", Static).update(title)
        listing = self.query_one("#outbox-list", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        if not self.rows:
            listing.add_option(Option(Text("Nothing here", style="dim"), disabled=True))
            self.query_one("#outbox-letter", Static).update("")
        else:
            listing.add_options([Option(self._line(row), id=str(row.id)) for row in self.rows])
            listing.highlighted = min(highlighted or 0, len(self.rows) - 1)
        listing.focus()
        self.refresh_bindings()

    def _line(self, row: Delivery) -> Text:
        text = Text()
        text.append(f"{row.reference or '—':<16}", style="bold")
        text.append(f"{row.purpose:<24}")
        text.append(row.status, style=STATE_STYLE.get(DeliveryState(row.state), ""))
        if row.timeliness:
            text.append(f" ({row.timeliness})", style="" if row.in_time else "bold red")
        text.append(f"\n  {row.to}  queued {format_uk_datetime(row.queued_at)}", style="dim")
        if row.last_error and row.state != DeliveryState.SENT:
            text.append(f"\n  {row.last_error}", style="red")
        return text

    def _chosen(self) -> Delivery | None:
        listing = self.query_one("#outbox-list", OptionList)
        index = listing.highlighted
        return self.rows[index] if index is not None and 0 <= index < len(self.rows) else None

    @on(OptionList.OptionHighlighted, "#outbox-list")
    def _highlighted(self) -> None:
        self.refresh_bindings()
        chosen = self._chosen()
        if chosen is None:
            return
        if chosen.kind != EMAIL:
            self.query_one("#outbox-letter", Static).update(
                Text(f"{chosen.purpose}: delivered by the case-system connector.", style="dim"))
            return
        ctx, actor = self.app.ctx, self.app.actor
        self.app.run_store(self, lambda: referrer_mail.letter(ctx, actor, chosen.id),
                           done=self._show_letter, failed=self._no_letter,
                           group="outbox-letter", exclusive=True)

    def _show_letter(self, letter: referrer_mail.Letter) -> None:
        text = Text()
        for name, value in (("To", letter.to), ("Reply-To", letter.reply_to or "—"),
                            ("Subject", letter.subject)):
            text.append(f"{name}: ", style="bold")
            text.append(f"{value}\n")
        text.append(f"\n{letter.text}")
        self.query_one("#outbox-letter", Static).update(text)

    def _no_letter(self, error: Exception) -> None:
        self.query_one("#outbox-letter", Static).update(Text(f"Cannot be made: {error}",
                                                             style="red"))

    # ------------------------------------------------------------------ actions
    def action_show(self, state: str) -> None:
        self.state = DeliveryState(state) if state else None
        self.action_reload()

    def action_retry(self) -> None:
        chosen = self._chosen()
        if chosen is None or chosen.state != DeliveryState.DEAD:
            return
        self.app.push_screen(ReasonDialog(
            f"Send again: {chosen.purpose} to {chosen.to}", partial(self.retry, chosen),
            detail=f"It failed: {chosen.last_error or 'no reason recorded'}",
            prompt="Why it should go again (e.g. address corrected)"))

    @write
    def retry(self, chosen: Delivery, reason: Reason) -> OutboxScreen.Queued:
        deliveries.retry(self.app.ctx, self.app.actor, chosen.id, reason.text)
        return self.Queued(f"{chosen.purpose} for {chosen.reference} is queued again")

    def on_outbox_screen_queued(self, message: OutboxScreen.Queued) -> None:
        self.app.notify(message.said)
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()
