"""Two lists of things that wait for a person: decided children the case system cannot take
yet (``N``, officers: link the child to a person, or confirm a new one), and quarantined
secure email (``Q``, supervisors: read, release as a contact, or delete). Every decision is
a service call; these screens only show and ask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ffd_core.domain.access import Action, Actor
from ffd_core.services import needs_person, quarantine
from ffd_core.services.context import Context
from ffd_tui.format import format_uk_datetime
from ffd_tui.screens.dialogs import Reason, ReasonDialog
from ffd_tui.screens.writes import Writer, write
from ffd_tui.widgets.counters import CountersStrip


@dataclass
class ListDecided(Message):
    """A decision on a waiting list's chosen row was recorded."""

    said: str


class _WaitingList(Writer, Screen):
    """A list on the left, the chosen item on the right, reloaded when the store changes."""

    DEFAULT_CSS = """
    _WaitingList .title { height: 2; padding: 0 1; background: $boost; }
    _WaitingList .panes { height: 1fr; }
    _WaitingList OptionList { width: 3fr; height: 1fr; margin: 0 1; }
    _WaitingList .right { width: 2fr; border-left: wide $accent; padding: 0 1; }
    """
    title_text = ""
    empty = "Nothing here"
    changes: tuple[str, ...] = ()
    rights: dict[str, Action] = {}  # action -> what the policy must allow for its key
    reason_style = "yellow"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Any] = []

    def compose(self) -> ComposeResult:
        yield CountersStrip(self.app.who)
        yield Static(self.title_text, classes="title", id="list-title")
        with Horizontal(classes="panes"):
            yield OptionList(id="list")
            with VerticalScroll(classes="right"):
                yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def store_changed(self, changes: list[tuple[int, int | None, str]]) -> None:
        if any(kind in self.changes for _seq, _cid, kind in changes):
            self.action_reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.app.may(self.rights[action]) if action in self.rights else True

    def load(self) -> Any:
        """The rows (a list), or a page of them that says how many there are in all."""
        raise NotImplementedError

    def parts(self, row: Any) -> tuple[str, str, str]:
        """(in bold, then plain, then why it waits) for the row's line."""
        raise NotImplementedError

    def line(self, row: Any) -> Text:
        bold, plain, why = self.parts(row)
        text = Text()
        text.append(bold, style="bold")
        text.append(plain)
        text.append(f"\n  {why}", style=self.reason_style)
        return text

    def detail(self, row: Any) -> Text:
        raise NotImplementedError

    def action_reload(self) -> None:
        self.app.run_store(self, self.load, done=self._loaded, group="list-load", exclusive=True)

    def _loaded(self, loaded: Any) -> None:
        rows = self.rows = list(getattr(loaded, "rows", loaded))
        total = getattr(loaded, "total", len(rows))  # from the service: more may wait than shown
        count = (f"{len(rows):,} of {total:,} shown, oldest first" if total > len(rows)
                 else f"{total:,}")
        self.query_one("#list-title", Static).update(Text(f"{self.title_text} ({count})",
                                                          style="bold"))
        listing = self.query_one("#list", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        if not rows:
            listing.add_option(Option(Text(self.empty, style="dim"), disabled=True))
            self.query_one("#detail", Static).update("")
        else:
            listing.add_options([Option(self.line(row)) for row in rows])
            listing.highlighted = min(highlighted or 0, len(rows) - 1)
        listing.focus()
        self.refresh_bindings()

    def chosen(self) -> Any | None:
        index = self.query_one("#list", OptionList).highlighted
        return self.rows[index] if index is not None and 0 <= index < len(self.rows) else None

    @on(OptionList.OptionHighlighted, "#list")
    def _highlighted(self) -> None:
        self.refresh_bindings()
        row = self.chosen()
        if row is not None:
            self.query_one("#detail", Static).update(self.detail(row))

    def ask(self, title: str, prompt: str, call: Callable[[Context, Actor, Any, str], Any],
            done_message: str, initial: str = "") -> None:
        """One line from the person (a reason, a person id) for ``call`` on the chosen row."""
        row = self.chosen()
        if row is None:
            return
        self.app.push_screen(ReasonDialog(
            title.format(row=row), partial(self.decide, call, row, done_message),
            prompt=prompt, initial=initial))

    @write
    def decide(self, call: Callable[[Context, Actor, Any, str], Any], row: Any, said: str,
               reason: Reason) -> ListDecided:
        call(self.app.ctx, self.app.actor, row, reason.text)
        return ListDecided(said)

    def on_list_decided(self, message: ListDecided) -> None:
        self.app.notify(message.said)
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()


class NeedsPersonScreen(_WaitingList):
    help_title = "Needs a person"  # what ? calls this screen
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="needs_person.back"),
        Binding("enter", "open", "Open contact", id="needs_person.open"),
        Binding("l", "link", "Link to person", id="needs_person.link"),
        Binding("n", "new_person", "New person", id="needs_person.new_person"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="needs_person.reload"),
    ]
    title_text = "Needs a person: decided children the case system cannot take yet"
    empty = "No child is waiting for a person"
    changes = ("contact.case_system",)
    rights = {"link": Action.LINK_CHILD, "new_person": Action.CONFIRM_NEW_PERSON}
    limit = 500  # rows shown; the title says how many wait in all

    def load(self) -> needs_person.WaitingPage:
        return needs_person.waiting_page(self.app.ctx, self.app.actor, limit=self.limit)

    def parts(self, row: needs_person.WaitingChild) -> tuple[str, str, str]:
        return f"{row.reference:<16}", f"{row.child}  {row.outcome.replace('_', ' ')}", row.reason

    def detail(self, row: needs_person.WaitingChild) -> Text:
        born = row.date_of_birth.strftime("%d/%m/%Y") if row.date_of_birth else "not known"
        return Text(f"{row.child}\nborn {born}  {row.postcode or ''}\nlinked to: "
                    f"{row.person_id or 'no one'}\nwaiting since {format_uk_datetime(row.waiting_since)}"
                    f"\n\n{row.reason}\n\nl: link to a person in the index (find them with f in the "
                    "holding area)\nn: confirm the case system should create a new person")

    def action_open(self) -> None:
        from ffd_tui.screens.contact import ContactScreen

        row = self.chosen()
        if row is not None:
            self.app.push_screen(ContactScreen(row.contact_id))

    def action_link(self) -> None:
        row = self.chosen()
        self.ask("Link {row.child} ({row.reference}) to a person", "Person id in the index",
                 lambda ctx, actor, row, person: needs_person.link_person(
                     ctx, actor, row.transfer_id, person),
                 "The child's push is queued again", initial=row.person_id or "" if row else "")

    def action_new_person(self) -> None:
        self.ask("New person in the case system: {row.child}",
                 "How you know the child is not there yet (audited)",
                 lambda ctx, actor, row, reason: needs_person.confirm_new_person(
                     ctx, actor, row.transfer_id, reason),
                 "The child will be created in the case system")


class QuarantineScreen(_WaitingList):
    help_title = "Quarantined email"  # what ? calls this screen
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="quarantine.back"),
        Binding("enter", "read", "Read", id="quarantine.read"),
        Binding("r", "release", "Release", id="quarantine.release"),
        Binding("x", "delete", "Delete", id="quarantine.delete"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="quarantine.reload"),
    ]
    title_text = "Quarantined secure email"
    empty = "Nothing in quarantine"
    changes = ("intake.email",)
    rights = {"release": Action.DECIDE_QUARANTINE, "delete": Action.DECIDE_QUARANTINE}
    reason_style = "red"

    def load(self) -> list[quarantine.HeldEmail]:
        return quarantine.held(self.app.ctx, self.app.actor)

    def parts(self, row: quarantine.HeldEmail) -> tuple[str, str, str]:
        return (f"{format_uk_datetime(row.received_at)}  ",
                f"{row.from_address or row.mail_from}  {row.subject or ''}", row.reason)

    def detail(self, row: quarantine.HeldEmail) -> Text:
        return Text(f"From: {row.from_address or row.mail_from}\nSubject: {row.subject or '—'}\n"
                    f"Held because: {row.reason}\n\n"
                    + ("Enter reads it (the read is audited)." if row.kept
                       else "Its content was not kept."))

    def action_read(self) -> None:
        row, ctx, actor = self.chosen(), self.app.ctx, self.app.actor
        if row is None or not row.kept:
            return

        def show(held: quarantine.HeldContent) -> None:
            text = self.detail(row)
            text.append(f"\n\nAttachments: {', '.join(held.attachments) or '—'}\n\n{held.text}")
            self.query_one("#detail", Static).update(text)

        self.app.run_store(self, lambda: quarantine.read(ctx, actor, row.id), done=show,
                           group="quarantine-read", exclusive=True)

    def action_release(self) -> None:
        self.ask("Release the email from {row.mail_from} as a contact", "Why it is safe (audited)",
                 lambda ctx, actor, row, reason: quarantine.release(ctx, actor, row.id, reason),
                 "Released: it is in the holding area as a contact to complete")

    def action_delete(self) -> None:
        self.ask("Delete the email from {row.mail_from}", "Why (audited)",
                 lambda ctx, actor, row, reason: quarantine.delete(ctx, actor, row.id, reason),
                 "Deleted; the record of it stays")
