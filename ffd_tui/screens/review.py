"""The person index's review queue: possible matches waiting for an officer. The pairs on the
left (strongest first), the two records side by side on the right; an officer confirms (same
child) or splits (different children) with a reason, audited by ffd_core."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ffd_core.domain.access import Action
from ffd_core.services.single_view import (
    PossibleMatch,
    SourceRecord,
    decide_link,
    possible_matches,
    records_for,
)
from ffd_tui.format import format_day, label
from ffd_tui.plain import add_plain_row
from ffd_tui.screens.dialogs import Reason, ReasonDialog
from ffd_tui.screens.people import FIELDS, SOURCE_NAMES
from ffd_tui.screens.writes import Writer, write
from ffd_tui.widgets.counters import CountersStrip

Ref = tuple[str, str]


class ReviewScreen(Writer, Screen):
    help_title = "Possible matches"  # what ? calls this screen
    @dataclass
    class Decided(Message, bubble=False):
        said: str

    DEFAULT_CSS = """
    ReviewScreen #review-panes { height: 1fr; }
    ReviewScreen #review-left { width: 2fr; }
    ReviewScreen #review-list { height: 1fr; margin: 0 1; }
    ReviewScreen #review-right { width: 3fr; border-left: wide $accent; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="review.back"),
        Binding("y", "decide(True)", "Same child", id="review.confirm"),
        Binding("n", "decide(False)", "Different children", id="review.split"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[PossibleMatch] = []
        self.records: dict[Ref, SourceRecord] = {}

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield CountersStrip(self.app.who)
        yield Static(Text("Possible matches waiting for review", style="bold"), id="review-title",
                     classes="title-bar")
        with Horizontal(id="review-panes"):
            with Vertical(id="review-left"):
                yield OptionList(id="review-list")
            with VerticalScroll(id="review-right"):
                yield Static("Choose a pair to see both records.", id="review-pair")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    # ------------------------------------------------------------------ roles
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decide":
            if not self.app.may(Action.DECIDE_MATCH):
                return False
            return True if self._chosen() else None
        return True

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor

        def work() -> tuple[list[PossibleMatch], dict[Ref, SourceRecord]]:
            pairs = possible_matches(ctx, actor, limit=100)
            return pairs, records_for(ctx, actor, {ref for p in pairs for ref in (p.a, p.b)})

        self.app.run_store(self, work, done=self._loaded, group="review-load", exclusive=True)

    def _loaded(self, result: tuple[list[PossibleMatch], dict[Ref, SourceRecord]]) -> None:
        self.pairs, self.records = result
        listing = self.query_one("#review-list", OptionList)
        listing.clear_options()
        if not self.pairs:
            listing.add_option(Option(Text("No possible matches waiting", style="dim"),
                                      disabled=True))
            self.query_one("#review-pair", Static).update("Nothing to review.")
            self.refresh_bindings()
            return
        listing.add_options([Option(self._pair_line(p), id=str(i))
                             for i, p in enumerate(self.pairs)])
        listing.highlighted = 0
        listing.focus()
        self._show(self.pairs[0])
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#review-list")
    def _highlighted(self) -> None:
        pair = self._chosen()
        if pair is not None:
            self._show(pair)
        self.refresh_bindings()

    def _chosen(self) -> PossibleMatch | None:
        listing = self.query_one("#review-list", OptionList)
        if listing.highlighted is None or not self.pairs:
            return None
        index = listing.highlighted
        return self.pairs[index] if 0 <= index < len(self.pairs) else None

    # ------------------------------------------------------------------ rendering
    def _pair_line(self, pair: PossibleMatch) -> Text:
        text = Text()
        for n, ref in enumerate((pair.a, pair.b)):
            if n:
                text.append("  ~  ")
            record = self.records.get(ref)
            text.append(record.full_name if record else ref[1], style="bold")
            if record and record.date_of_birth:
                text.append(f" {format_day(record.date_of_birth)}")
            text.append(f" ({SOURCE_NAMES.get(ref[0], ref[0])})", style="cyan")
        text.append(f"\n  weight {pair.weight:.1f}", style="bold")
        if pair.reasons:
            text.append("  " + ", ".join(label(r) for r in pair.reasons), style="dim")
        return text

    def _show(self, pair: PossibleMatch) -> None:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        table.add_column("", style="bold")
        for ref in (pair.a, pair.b):
            table.add_column(SOURCE_NAMES.get(ref[0], ref[0]), ratio=1)
        for title, value in FIELDS:
            cells = []
            for ref in (pair.a, pair.b):
                record = self.records.get(ref)
                cells.append(value(record) if record else "—")
            add_plain_row(table, title, *cells)
        self.query_one("#review-pair", Static).update(table)

    # ------------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.dismiss(None)

    def action_decide(self, same: bool) -> None:
        pair = self._chosen()
        if pair is None or not self.app.may(Action.DECIDE_MATCH):
            return
        title = "Same child: confirm the match" if same else "Different children: split the pair"
        self.app.push_screen(ReasonDialog(title, partial(self.decide, pair, same)))

    @write
    def decide(self, pair: PossibleMatch, same: bool, reason: Reason) -> ReviewScreen.Decided:
        decide_link(self.app.ctx, self.app.actor, pair.a, pair.b, same=same, reason=reason.text)
        return self.Decided("Confirmed as one child" if same else "Split into two children")

    def on_review_screen_decided(self, message: ReviewScreen.Decided) -> None:
        self.app.notify(message.said)
        self.load()
