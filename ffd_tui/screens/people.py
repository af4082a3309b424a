"""The single view of the child: search the person index on the left, one person's
Framework-i and Capita ONE records side by side on the right (every card view is audited
by ffd_core). Opened from a contact, it can link that contact's child to the person found."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ffd_core.domain.access import Action
from ffd_core.services.person_index import stale_index_warning
from ffd_core.services.single_view import (
    EDUCATION,
    SOCIAL_CARE,
    PersonMatch,
    PersonView,
    SourceRecord,
    find_people,
    link_child,
    parse_person_query,
    person_view,
)
from ffd_tui.format import format_day, label
from ffd_tui.plain import add_plain_row
from ffd_tui.widgets.counters import CountersStrip

SOURCE_NAMES = {SOCIAL_CARE: "Framework-i", EDUCATION: "Capita ONE"}
class PersonSearchScreen(Screen):
    help_title = "Find a person"  # what ? calls this screen
    DEFAULT_CSS = """
    PersonSearchScreen #people-panes { height: 1fr; }
    PersonSearchScreen #people-left { width: 2fr; }
    PersonSearchScreen #people-query { margin: 0 1; }
    PersonSearchScreen #people-results { height: 1fr; margin: 0 1; }
    PersonSearchScreen #people-right { width: 3fr; border-left: wide $accent; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="people.back"),
        Binding("L", "link_person", "Link child", id="people.link_person"),
        Binding("slash", "search_box", "Search", id="people.search"),
    ]

    def __init__(self, text: str = "", *, link_child: tuple[int, str] | None = None,
                 reason: str = "screening") -> None:
        super().__init__()
        self.initial = text
        self.link_target = link_child
        self.reason = reason
        self.matches: list[PersonMatch] = []
        self.view: PersonView | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield CountersStrip(self.app.who)
        yield Static(self._title(), id="people-title", classes="title-bar")
        with Horizontal(id="people-panes"):
            with Vertical(id="people-left"):
                yield Input(self.initial, placeholder="name, date or age (about 9), postcode or BK2 3, girl/boy, street, then Enter",
                            id="people-query")
                yield OptionList(id="people-results")
            with VerticalScroll(id="people-right"):
                yield Static("Search, then choose a child to see their records.",
                             id="people-card")
        yield Footer()

    def _title(self) -> Text:
        text = Text("Find a child in the person index", style="bold")
        if self.link_target is not None:
            text.append(f"  linking {self.link_target[1]}: choose the person, then L",
                        style="bold yellow")
        return text

    def on_mount(self) -> None:
        self.query_one("#people-query", Input).focus()
        if self.initial.strip():
            self.search(self.initial)
        ctx = self.app.ctx
        self.app.run_store(self, lambda: stale_index_warning(ctx), done=self._warn_if_stale,
                           group="people-stale")

    def _warn_if_stale(self, warning: str | None) -> None:
        if warning:  # an upgrade changed the search keys: searches miss until re-filed
            self.app.notify(warning, severity="warning", timeout=20)

    # ------------------------------------------------------------------ roles
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "link_person":
            if self.link_target is None or not self.app.may(Action.LINK_CHILD):
                return False
            return True if self._chosen() else None
        return True

    # ------------------------------------------------------------------ search
    @on(Input.Submitted, "#people-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self.search(event.value)

    def search(self, text: str) -> None:
        query = parse_person_query(text)
        if query is None:
            return
        ctx, actor, reason = self.app.ctx, self.app.actor, self.reason

        def work() -> list[PersonMatch]:
            return find_people(ctx, actor, query, limit=20, reason=reason)

        self.app.run_store(self, work, done=self._results, group="people-search", exclusive=True)

    def _results(self, matches: list[PersonMatch]) -> None:
        self.matches = matches
        results = self.query_one("#people-results", OptionList)
        results.clear_options()
        if not matches:
            results.add_option(Option(Text("No one found: try fewer words, or the year of birth",
                                           style="dim"), disabled=True))
            return
        results.add_options([Option(_result_line(m), id=m.person_id) for m in matches])
        results.highlighted = 0
        results.focus()
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#people-results")
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#people-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_card(event.option.id)

    def _chosen(self) -> str | None:
        results = self.query_one("#people-results", OptionList)
        if results.highlighted is not None and self.matches:
            option = results.get_option_at_index(results.highlighted)
            if option.id:
                return option.id
        return self.view.person_id if self.view else None

    # ------------------------------------------------------------------ card
    def open_card(self, person_id: str) -> None:
        ctx, actor, reason = self.app.ctx, self.app.actor, self.reason

        def work() -> PersonView | None:
            return person_view(ctx, actor, person_id, reason=reason)

        self.app.run_store(self, work, done=self._card, group="people-card", exclusive=True)

    def _card(self, view: PersonView | None) -> None:
        card = self.query_one("#people-card", Static)
        if view is None:
            card.update(Text("That person is no longer in the index; search again.", style="bold"))
            return
        self.view = view
        card.update(person_card(view))
        self.refresh_bindings()

    # ------------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.dismiss(None)

    def action_search_box(self) -> None:
        self.query_one("#people-query", Input).focus()

    def action_link_person(self) -> None:
        person_id = self._chosen()
        if self.link_target is None or person_id is None:
            return
        ctx, actor = self.app.ctx, self.app.actor
        entry, name = self.link_target

        def done(_result: Any) -> None:
            self.app.notify(f"Linked {name} to {person_id}")
            self.dismiss(person_id)

        self.app.run_store(self, lambda: link_child(ctx, actor, entry, person_id),
                           done=done, group="write")


# ---------------------------------------------------------------------- rendering
def _result_line(match: PersonMatch) -> Text:
    record = match.records[0].record if match.records else None
    text = Text()
    text.append(record.full_name if record else match.person_id, style="bold")
    if record and record.date_of_birth:
        text.append(f"  born {format_day(record.date_of_birth)}")
    text.append("  " + ", ".join(SOURCE_NAMES.get(s, s) for s in match.sources), style="cyan")
    if match.reasons:
        text.append("\n  " + ", ".join(label(r) for r in match.reasons), style="dim")
    return text


def _address(record: SourceRecord) -> str:
    return ", ".join(x for x in (record.address_line1, record.town, record.postcode) if x)


FIELDS: list[tuple[str, Any]] = [
    ("Name", lambda r: r.full_name),
    ("Born", lambda r: format_day(r.date_of_birth) if r.date_of_birth else ""),
    ("Gender", lambda r: r.gender or ""),
    ("Address", _address),
    ("School", lambda r: r.school or ""),
    ("NHS", lambda r: r.nhs_number or ""),
    ("UPN", lambda r: r.upn or ""),
    ("Record", lambda r: r.source_id),
]


def person_card(view: PersonView) -> Group:
    """Both systems' records side by side, open episodes, and who to contact."""
    records = Table(box=None, show_header=True, header_style="bold", expand=True)
    records.add_column("", style="bold")
    sources = [SOCIAL_CARE, EDUCATION]
    for source in sources:
        records.add_column(SOURCE_NAMES[source], ratio=1)
    for title, value in FIELDS:
        cells = []
        for source in sources:
            found = view.of(source)
            cells.append("\n".join(value(r) for r in found) if found else "—")
        add_plain_row(records, title, *cells)
    head = Text(f"Person {view.person_id}", style="bold")
    head.append("  open to social care" if view.open_to_social_care else "  not open to social care",
                style="bold red" if view.open_to_social_care else "dim")
    episodes = Text("Open episodes: ", style="bold")
    episodes.append(", ".join(label(e) for e in view.open_episodes) or "none", style="")
    contacts = Table(box=None, show_header=True, header_style="bold", expand=True,
                     title="Who to contact", title_justify="left", title_style="bold")
    for column in ("Allocated worker", "Team", "Phone", "Email"):
        contacts.add_column(column)
    for person in view.who_to_contact:
        add_plain_row(contacts, *(person.get(k) or "" for k in ("worker", "team", "phone", "email")))
    parts: list[Any] = [head, Text(""), records, Text(""), episodes, Text("")]
    parts.append(contacts if view.who_to_contact else Text("Who to contact: no allocated worker",
                                                           style="bold"))
    return Group(*parts)
