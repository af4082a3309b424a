"""The holding area: the queue as a virtual table over a window queried from the store."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input

from ffd_core.domain.access import Action
from ffd_core.services import (
    contacts,
    decisions,
    directory,
    ownership,
    queue,
    screening,
    timed_jobs,
)
from ffd_core.services.contacts import TelephoneCall
from ffd_core.services.queue import QueueRow, View
from ffd_tui.format import DUE_SOON_WORDS, label
from ffd_tui.keymap import priority_bindings
from ffd_tui.screens.contact import ContactScreen
from ffd_tui.screens.dialogs import (
    AllocateDialog,
    Allocation,
    ConfirmDialog,
    Reason,
    ReasonDialog,
    TelephoneDialog,
)
from ffd_tui.screens.writes import Writer, opens, write
from ffd_tui.widgets.counters import CountersStrip, Line
from ffd_tui.widgets.queue_columns import SORTABLE, QueueHeader
from ffd_tui.widgets.queue_table import QueueTable

VIEW_TITLES = {
    View.MINE: "Mine", View.UNALLOCATED: "Unallocated",
    View.AWAITING_INFORMATION: "Awaiting information", View.AWAITING_SIGN_OFF: "Awaiting sign-off",
    View.BREACHING: "Breaching", View.OPEN: "All open", View.ALL: "All (including decided)",
}

# `s` walks the sortable columns, most useful first.
SORT_CYCLE = ["priority", "due", "received", "reference", "category", "child", "channel", "status"]
assert set(SORT_CYCLE) == {c.sort for c in SORTABLE}

ACTION_EDGES: dict[str, str] = {
    "take_next": Action.TAKE_NEXT, "claim": "claim", "priority": "set_priority",
    "telephone": Action.RECORD_CONTACT,
    "reallocate": "reallocate", "approve": "approve", "return": "return", "select": "reallocate",
    "dashboard": "reallocate",
}


class HoldingScreen(Writer, Screen):
    help_title = "Holding"  # what ? calls this screen
    @dataclass
    class ContactReady(Message, bubble=False):
        """A contact to open now: taken (take next) or just recorded (a phone call)."""

        contact_id: int
        said: str

    @dataclass
    class Changed(Message, bubble=False):
        said: str

    @dataclass
    class Allocated(Message, bubble=False):
        """Per row: the contacts allocated, and "reference: why not" for the rest."""

        allocated: list[int]
        failures: list[str]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="holding.open"),
        Binding("t", "take_next", "Take next", id="holding.take_next"),
        Binding("c", "claim", "Claim", id="holding.claim"),
        *priority_bindings("holding"),
        Binding("slash", "filter", "Filter", id="holding.filter"),
        Binding("m", "view('mine')", "Mine", id="holding.view_mine"),
        Binding("u", "view('unallocated')", "Unalloc", id="holding.view_unallocated"),
        Binding("w", "view('awaiting_information')", "Awaiting", id="holding.view_awaiting"),
        Binding("v", "view('awaiting_sign_off')", "Sign-off", id="holding.view_sign_off"),
        Binding("b", "view('breaching')", "Breaching", id="holding.view_breaching"),
        Binding("o", "view('open')", "Open", id="holding.view_open"),
        Binding("O", "view('all')", "All", id="holding.view_all"),
        Binding("s", "next_sort", "Sort", id="holding.sort"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="holding.reverse"),
        Binding("space", "select", "Select", show=False, id="holding.select"),
        Binding("r", "reallocate", "Reallocate", id="holding.reallocate"),
        Binding("a", "approve", "Approve", id="holding.approve"),
        Binding("R", "return", "Return", show=False, id="holding.return"),
        Binding("p", "telephone", "Phone contact", id="holding.telephone"),
        Binding("D", "dashboard", "Supervisor", id="holding.dashboard"),
        Binding("f", "find_child", "Find child", id="holding.find_child"),
        Binding("P", "review_matches", "Review matches", show=False, id="holding.review_matches"),
        Binding("M", "outbox", "Messages sent", show=False, id="holding.outbox"),
        Binding("N", "waiting_list('NeedsPersonScreen')", "Needs a person", show=False,
                id="holding.needs_person"),
        Binding("Q", "waiting_list('QuarantineScreen')", "Quarantined email", show=False,
                id="holding.quarantine"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="holding.clear_filter"),
        Binding("q", "quit", "Quit", id="holding.quit"),
    ]

    def compose(self) -> ComposeResult:
        ctx, actor = self.app.ctx, self.app.actor
        yield CountersStrip(self.app.who)
        yield Line(id="queue-title", classes="title-bar")
        filter_box = Input(placeholder="filter: type words (name, reference, school…)",
                           id="filter")
        filter_box.display = False
        yield filter_box
        table = QueueTable(
            lambda q, offset, limit: queue.holding_area(ctx, actor, q.view, q.text, q.sort,
                                                        q.descending, offset, limit),
            ctx.now, ctx.clock_policy, ctx.lifecycle, id="queue")
        header = QueueHeader(table, id="queue-header")
        table.header = header
        yield header
        yield table
        yield Footer()

    @property
    def table(self) -> QueueTable:
        return self.query_one("#queue", QueueTable)

    def on_mount(self) -> None:
        self.table.set_query()  # every role starts on all open contacts (Query's default)
        self.table.focus()
        self._title()

    def _title(self) -> None:
        spec = self.table.query_spec
        loading = "" if self.table.loaded_generation == self.table.generation else "  …"
        selected = f"  {len(self.table.selected)} selected" if self.table.selected else ""
        text = (f"[b]{VIEW_TITLES[spec.view]}[/] ({self.table.total:,})  sorted by {spec.sort}"
                f"{' ▼' if spec.descending else ' ▲'}"
                f"{'  filter: ' + spec.text if spec.text else ''}{selected}{loading}")
        self.query_one("#queue-title", Line).show(text)

    def on_queue_table_loaded(self, _message: QueueTable.Loaded) -> None:
        self._title()

    def on_queue_table_chosen(self, message: QueueTable.Chosen) -> None:
        self.app.push_screen(ContactScreen(message.row.id))

    # ------------------------------------------------------------------ live
    def store_changed(self, changes: list[tuple[int, int | None, str]]) -> None:
        self.table.refresh_window()
        due_soon = [cid for _seq, cid, kind in changes if kind == timed_jobs.DUE_SOON_CHANGE]
        if due_soon:  # the worker's warning: shown to the owner and supervisors, once
            ctx, actor = self.app.ctx, self.app.actor
            self.app.run_store(self, lambda: timed_jobs.due_soon_warnings(ctx, actor, due_soon),
                               done=self._warn_due_soon, group="due-soon")

    def _warn_due_soon(self, references: list[str]) -> None:
        if references:  # while locked it still warns, but names nothing
            what = "a contact" if self.app.locked else ", ".join(references)
            self.app.notify(f"Due within {DUE_SOON_WORDS}: {what}",
                            title="Decision target", severity="warning", timeout=20)

    def on_screen_resume(self) -> None:
        self.table.refresh_window()

    # ------------------------------------------------------------------ roles
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review_matches":
            return self.app.may(Action.REVIEW_MATCHES)
        if action == "outbox":
            return self.app.may(Action.READ_OUTBOX)
        if action == "waiting_list":  # N needs a person (officers), Q quarantine (supervisors)
            return self.app.may(Action.LINK_CHILD if parameters[0] == "NeedsPersonScreen" else Action.READ_QUARANTINE)
        edge = ACTION_EDGES.get(action)
        if edge is not None:
            return self.app.may(edge)
        return True

    # ------------------------------------------------------------------ filter and views
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_query(text=event.value)
        self._title()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
        box.display = False
        self.table.focus()
        if self.table.query_spec.text:
            self.table.set_query(text="")
        self._title()

    def action_view(self, view: str) -> None:
        self.table.set_query(view=View(view))
        self._title()

    def action_next_sort(self) -> None:
        sorts = SORT_CYCLE
        current = self.table.query_spec.sort
        following = sorts[(sorts.index(current) + 1) % len(sorts)] if current in sorts else sorts[0]
        self.table.set_query(sort=following, descending=False)
        self._title()

    def action_reverse_sort(self) -> None:
        self.table.set_query(descending=not self.table.query_spec.descending)
        self._title()

    def action_select(self) -> None:
        self.table.toggle_selected()
        self.table.action_cursor(1)
        self._title()

    # ------------------------------------------------------------------ actions
    def action_open(self) -> None:
        row = self.table.current
        if row is not None:
            self.app.push_screen(ContactScreen(row.id))

    def action_take_next(self) -> None:
        self.take_next()

    @write
    def take_next(self) -> HoldingScreen.ContactReady:
        contact_id, reference, _version = ownership.take_next(self.app.ctx, self.app.actor)
        return self.ContactReady(contact_id, f"You took {reference}")

    def on_holding_screen_contact_ready(self, message: HoldingScreen.ContactReady) -> None:
        self.app.notify(message.said)
        self.app.push_screen(ContactScreen(message.contact_id))

    def action_claim(self) -> None:
        row = self.table.current
        if row is not None:
            self.claim(row)

    @write
    def claim(self, row: QueueRow) -> HoldingScreen.Changed:
        ownership.claim(self.app.ctx, self.app.actor, row.id, expected_version=row.version)
        return self.Changed(f"Claimed {row.reference}")

    def on_holding_screen_changed(self, message: HoldingScreen.Changed) -> None:
        self.app.notify(message.said)

    def action_priority(self, priority: int) -> None:
        row = self.table.current
        if row is not None:
            self.app.push_screen(ReasonDialog(f"Set priority {priority} on {row.reference}",
                                              partial(self.set_priority, row, priority),
                                              initial="screened"))

    @write
    def set_priority(self, row: QueueRow, priority: int, reason: Reason) -> HoldingScreen.Changed:
        screening.set_priority(self.app.ctx, self.app.actor, row.id, priority, reason.text,
                               expected_version=row.version)
        return self.Changed(f"Priority set to {priority}")

    def _chosen_rows(self) -> list[QueueRow]:
        if self.table.selected:
            return list(self.table.selected.values())
        return [self.table.current] if self.table.current else []

    def action_reallocate(self) -> None:
        rows = self._chosen_rows()
        if rows:
            self.open_allocate(rows)

    @opens
    def open_allocate(self, rows: list[QueueRow]) -> None:
        staff = directory.allocatable_staff(self.app.ctx)
        self.app.call_from_thread(self.app.push_screen, AllocateDialog(
            f"Allocate {len(rows)} contact(s)", partial(self.allocate, rows), staff, len(rows)))

    @write
    def allocate(self, rows: list[QueueRow], allocation: Allocation) -> HoldingScreen.Allocated:
        """Each row succeeds or is refused on its own (ffd_core's allocate_many)."""
        results = ownership.allocate_many(self.app.ctx, self.app.actor,
                                          [(row.id, row.version) for row in rows],
                                          allocation.owner_id, allocation.reason)
        references = {row.id: row.reference for row in rows}
        return self.Allocated(
            [r.contact_id for r in results if r.error is None],
            [f"{references[r.contact_id]}: {r.error}" for r in results if r.error is not None])

    def on_holding_screen_allocated(self, message: HoldingScreen.Allocated) -> None:
        """Allocated rows leave the selection; refused ones stay selected, with why."""
        for contact_id in message.allocated:
            self.table.selected.pop(contact_id, None)
        if message.allocated:
            self.app.notify(f"Allocated {len(message.allocated)} contact(s)")
        if message.failures:
            self.app.notify("Not allocated (still selected): " + "; ".join(message.failures),
                            severity="warning", timeout=20)
        self.table.refresh_window()
        self._title()

    def action_approve(self) -> None:
        row = self.table.current
        if row is not None:
            self.app.push_screen(ConfirmDialog(
                f"Approve the proposed decision on {row.reference} ({label(row.status)})?"),
                lambda yes: self.approve(row) if yes else None)

    @write
    def approve(self, row: QueueRow) -> HoldingScreen.Changed:
        decisions.approve(self.app.ctx, self.app.actor, row.id, expected_version=row.version)
        return self.Changed(f"Approved {row.reference}")

    def action_return(self) -> None:
        row = self.table.current
        if row is not None:
            self.app.push_screen(ReasonDialog(f"Return {row.reference} for rework",
                                              partial(self.return_for_rework, row)))

    @write
    def return_for_rework(self, row: QueueRow, reason: Reason) -> HoldingScreen.Changed:
        decisions.return_for_rework(self.app.ctx, self.app.actor, row.id, reason.text,
                                    expected_version=row.version)
        return self.Changed(f"Returned {row.reference}")

    def action_telephone(self) -> None:
        # The council's own categories: read from the configuration in memory, so the dialog
        # is there before the next key.
        self.app.push_screen(TelephoneDialog("Record a telephone contact", self.record_call,
                                             contacts.categories(self.app.ctx)))

    @write
    def record_call(self, call: TelephoneCall) -> HoldingScreen.ContactReady:
        receipt = contacts.record_call(self.app.ctx, self.app.actor, call)
        return self.ContactReady(receipt.contact_id, f"Recorded {receipt.reference}")

    def action_dashboard(self) -> None:
        from ffd_tui.screens.supervisor import SupervisorScreen

        self.app.push_screen(SupervisorScreen())

    def action_find_child(self) -> None:
        from ffd_tui.screens.people import PersonSearchScreen

        self.app.push_screen(PersonSearchScreen())

    def action_review_matches(self) -> None:
        from ffd_tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen())

    def action_outbox(self) -> None:
        from ffd_tui.screens.outbox import OutboxScreen

        self.app.push_screen(OutboxScreen())

    def action_waiting_list(self, screen: str) -> None:
        from ffd_tui.screens import waiting_lists

        self.app.push_screen(getattr(waiting_lists, screen)())

    def action_quit(self) -> None:
        self.app.exit()
