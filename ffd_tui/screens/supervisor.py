"""Supervisor mode: workload per officer, breaching and due-soon lists. Sign-off (approve,
return), multi-select reallocation and reopen work from the holding area and contact screens."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ffd_core.services import queue
from ffd_core.services.queue import View
from ffd_tui.format import DUE_SOON_WORDS, format_uk_datetime, label, time_left
from ffd_tui.plain import add_plain_row
from ffd_tui.widgets.counters import CountersStrip

LIST_LIMIT = 30


class SupervisorScreen(Screen):
    help_title = "Supervisor"  # what ? calls this screen
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="supervisor.back"),
        Binding("v", "sign_off", "Sign-off queue", id="supervisor.sign_off"),
        Binding("b", "breaching", "Breaching", id="supervisor.breaching"),
        Binding("ctrl+r", "reload", "Reload", id="supervisor.reload"),
    ]

    def compose(self) -> ComposeResult:
        yield CountersStrip(self.app.who)
        yield Static("[b]Supervisor[/]  workload, breaching and due soon", id="queue-title",
                     classes="title-bar")
        with VerticalScroll():
            yield Static("Loading…", id="workload")
            with Horizontal(id="lists"):
                yield Static("", id="breaching")
                yield Static("", id="due-soon")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def store_changed(self, _changes: object) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor

        def work():
            return (queue.workload(ctx, actor),
                    queue.holding_area(ctx, actor, View.BREACHING, sort="due", limit=LIST_LIMIT),
                    queue.holding_area(ctx, actor, View.DUE_SOON, sort="due", limit=LIST_LIMIT))

        self.app.run_store(self, work, done=self._show, group="supervisor", exclusive=True)

    def _show(self, result) -> None:
        workload, breaching, due_soon = result
        self.loaded = result
        now = self.app.ctx.now()
        table = Table(title="Workload", title_justify="left", header_style="bold", expand=True)
        for column in ("Officer", "Screening", "Awaiting info", "Sign-off", "Breaching",
                       "Decided today"):
            table.add_column(column, justify="left" if column == "Officer" else "right")
        for w in workload:
            add_plain_row(table, w.officer, str(w.screening), str(w.awaiting_information),
                          str(w.awaiting_sign_off),
                          Text(str(w.breaching), style="bold red" if w.breaching else ""),
                          str(w.decided_today))
        self.query_one("#workload", Static).update(table)
        self.query_one("#breaching", Static).update(
            self._list(f"Breaching ({breaching.total})", breaching.rows, now))
        self.query_one("#due-soon", Static).update(
            self._list(f"Due soon: {DUE_SOON_WORDS} or less ({due_soon.total})", due_soon.rows, now))

    def _list(self, title: str, rows, now) -> Table:
        ctx = self.app.ctx
        table = Table(title=title, title_justify="left", header_style="bold", expand=True)
        for column in ("Reference", "Left", "P", "Status", "Owner", "Due"):
            table.add_column(column)
        for r in rows[:LIST_LIMIT]:
            left, cls = time_left(r.due_at, r.status, now, ctx.clock_policy, ctx.lifecycle)
            add_plain_row(table, r.reference, Text(left, style="bold red" if cls == "breached" else
                                            "yellow"), f"P{r.priority}", label(r.status),
                          r.owner or "—", format_uk_datetime(r.due_at) if r.due_at else "")
        return table

    def action_back(self) -> None:
        self.app.pop_screen()

    def _holding(self, view: str) -> None:
        beneath = self.app.screen_stack[-2]
        self.app.pop_screen()
        if hasattr(beneath, "action_view"):
            beneath.action_view(view)

    def action_sign_off(self) -> None:
        self._holding("awaiting_sign_off")

    def action_breaching(self) -> None:
        self._holding("breaching")
