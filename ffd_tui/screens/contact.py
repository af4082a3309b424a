"""One contact: answers, thread, notes, history, decisions, links, attachments, guidance and
suggested priority, with every action the officer may take on it now, one or two keys each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from rich.console import Group
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from ffd_core.domain.access import Action
from ffd_core.services import messages, queue, replies
from ffd_core.services.contact_view import ContactView, view_contact
from ffd_core.services.replies import ReplyChoice
from ffd_tui import presenters
from ffd_tui.format import format_day, label
from ffd_tui.keymap import priority_bindings
from ffd_tui.plain import plain
from ffd_tui.screens import contact_tabs as tabs
from ffd_tui.screens.contact_actions import ContactActions
from ffd_tui.widgets.counters import CountersStrip

# What each key needs: a lifecycle edge, offered when it leaves the contact's status for this
# person (FrontDoorApp.edges_here), or another action the access policy allows on it.
OFFERED_IF: dict[str, tuple[str, ...]] = {
    "claim": ("claim",), "release": ("release",), "take_over": ("take_over",),
    "priority": ("set_priority",), "request_information": ("request_information",),
    "decide": ("decide",), "reject": ("decide",), "approve": ("approve",),
    "return": ("return",), "reallocate": ("allocate", "reallocate"), "reopen": ("reopen",),
    "withdraw": ("withdraw",), "close_in_error": ("close_in_error",),
    "record_reply": ("record_reply",),
    "note": (Action.NOTE,), "link": (Action.LINK_CONTACTS,), "take_next": (Action.TAKE_NEXT,),
    "complete": (Action.COMPLETE_CONTACT,),
}

# A reply is recorded whatever the status (it moves the contact only when one was awaited),
# so for its key only the access policy is asked.
ANY_STATUS = frozenset({"record_reply"})

TABS = ["answers", "thread", "notes", "history", "decisions", "links", "guidance", "attachments"]
CHASE_AFTER = timedelta(days=1)  # the request for information's answer-by, as first offered


@dataclass(frozen=True)
class Loaded:
    """Everything the screen shows and offers, read in one worker."""

    view: ContactView
    edges: frozenset[str]  # the lifecycle edges this person may take on it now
    suggestion: Any = None
    guidance: Any = ("", [])
    answers: Any = None
    replies: list[ReplyChoice] = field(default_factory=list)  # with a decision
    requests: list[ReplyChoice] = field(default_factory=list)  # request for information
    chase_by: datetime | None = None
    can_reply: bool = False  # the referrer can be written to (ffd_core's rule)


class ContactScreen(ContactActions, Screen):
    help_title = "Contact"  # what ? calls this screen
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="contact.back"),
        Binding("c", "claim", "Claim", id="contact.claim"),
        Binding("u", "release", "Release", id="contact.release"),
        Binding("C", "take_over", "Take over", show=False, id="contact.take_over"),
        *priority_bindings("contact"),
        Binding("i", "request_information", "Ask info", id="contact.request_information"),
        Binding("e", "record_reply", "Reply in", show=False, id="contact.record_reply"),
        Binding("d", "decide", "Decide", id="contact.decide"),
        Binding("x", "reject", "Reject", id="contact.reject"),
        Binding("a", "approve", "Approve", id="contact.approve"),
        Binding("R", "return", "Return", id="contact.return"),
        Binding("A", "reallocate", "Reallocate", show=False, id="contact.reallocate"),
        Binding("O", "reopen", "Reopen", id="contact.reopen"),
        Binding("w", "withdraw", "Withdraw", show=False, id="contact.withdraw"),
        Binding("X", "close_in_error", "Close in error", show=False, id="contact.close_in_error"),
        Binding("n", "note", "Note", id="contact.note"),
        Binding("l", "link", "Link", show=False, id="contact.link"),
        Binding("t", "take_next", "Next", id="contact.take_next"),
        Binding("f", "find_child", "Find child", show=False, id="contact.find_child"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="contact.reload"),
        Binding("K", "complete", "Complete from the email", show=False, id="contact.complete"),
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False, id="contact.next_tab"),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False, id="contact.prev_tab"),
    ]

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.loaded: Loaded | None = None
        self.own_versions: set[int] = set()
        self.changed_elsewhere = ""

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield CountersStrip(self.app.who)
        yield Static("Opening…", id="contact-header", classes="title-bar")
        yield Static("", id="contact-banner")
        with TabbedContent(id="tabs"):
            for tab in TABS:
                with TabPane(tab.capitalize(), id=f"tab-{tab}"), VerticalScroll():
                    yield Static("", id=f"body-{tab}")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#contact-banner", Static).display = False
        self.load()

    def load(self) -> None:
        ctx, app = self.app.ctx, self.app

        def work() -> Loaded:
            view = view_contact(ctx, app.actor, self.contact_id)
            edges = app.edges_here(view.status, view.facts)
            chase_by = ctx.now() + CHASE_AFTER
            return Loaded(
                view, edges, _or_none(presenters.suggestion_for, ctx, view),
                _or_none(presenters.guidance_for, ctx, view) or ("", []),
                _or_none(presenters.answers_for, ctx, view),
                # Replies are filled in only where this person may send them now.
                replies.decision_replies(ctx, view) if "decide" in edges else [],
                replies.request_replies(ctx, view, chase_by)
                if "request_information" in edges else [],
                chase_by, "decide" in edges
                and messages.can_write_to_referrer(ctx, app.actor, view.id))

        def failed(error: Exception) -> None:
            self.app.show_error(error)
            if self.view is None and self.app.screen is self:
                self.app.pop_screen()  # nothing to show: back to where the officer was

        self.app.run_store(self, work, done=self._show, failed=failed, group="contact-load",
                           exclusive=True)

    def _show(self, loaded: Loaded) -> None:
        self.loaded, view = loaded, loaded.view
        self.changed_elsewhere = ""
        self.own_versions.add(view.version)
        self.query_one("#contact-banner", Static).display = False
        bodies = {
            "contact-header": tabs.header(view, self.app.ctx, "set_priority" in loaded.edges),
            "body-answers": tabs.answers(view, loaded.answers),
            "body-thread": Group(tabs.thread(view.thread, "No messages yet."),
                                 tabs.deliveries(view)),
            "body-notes": tabs.thread(view.notes, "No notes yet."),
            "body-history": tabs.history(view),
            "body-decisions": tabs.decisions(view),
            "body-links": tabs.links(view),
            "body-guidance": tabs.guidance(view, loaded.suggestion, loaded.guidance),
            "body-attachments": tabs.attachments(view),
        }
        for widget_id, body in bodies.items():
            self.query_one(f"#{widget_id}", Static).update(body)
        self.refresh_bindings()

    # ------------------------------------------------------------------ what is offered
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "complete" and not (self.view and self.view.to_complete):
            return False  # only an emailed contact still without its child and category
        needs = OFFERED_IF.get(action)
        return True if needs is None else any(self._may(need) for need in needs)

    def _may(self, need: str) -> bool:
        loaded = self.loaded
        if loaded is None:  # not open yet: what the role may do at all
            return self.app.may(need)
        if isinstance(need, Action) or need in ANY_STATUS:
            return self.app.may(need, loaded.view.facts)
        return need in loaded.edges

    # ------------------------------------------------------------------ live
    def store_changed(self, changes: list[tuple[int, int | None, str]]) -> None:
        if self.view is None or not any(cid == self.contact_id for _s, cid, _k in changes):
            return
        reference = self.view.reference
        ctx, actor = self.app.ctx, self.app.actor
        self.app.run_store(self, lambda: queue.find_by_reference(ctx, actor, reference),
                           done=self._maybe_stale, group="contact-check")

    def _maybe_stale(self, row) -> None:
        if row is None or self.view is None or row.version in self.own_versions:
            return
        self.changed_elsewhere = (f"{self.view.reference} was changed by someone else "
                                  f"(now {label(row.status)}, owner {row.owner or 'none'}). "
                                  "Press ctrl+r to see the change before you act.")
        banner = self.query_one("#contact-banner", Static)
        banner.update(plain(self.changed_elsewhere))
        banner.display = True
        self.app.bell()

    # ------------------------------------------------------------------ moving about
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def action_tab(self, step: int) -> None:
        contents = self.query_one(TabbedContent)
        current = contents.active.removeprefix("tab-")
        contents.active = f"tab-{TABS[(TABS.index(current) + step) % len(TABS)]}"

    def action_find_child(self) -> None:
        """The single view for the first child, ready to link them to the person found."""
        from ffd_tui.screens.people import PersonSearchScreen

        view = self.view
        if view is None or not view.children:
            return
        child = view.children[0]
        text = " ".join(x for x in (child.name, format_day(child.date_of_birth)) if x)
        link = (child.id, child.name) if self.app.may(Action.LINK_CHILD) else None

        def back(person_id: str | None) -> None:
            if person_id:
                self.load()

        self.app.push_screen(PersonSearchScreen(text, link_child=link,
                                                reason=f"screening {view.reference}"), back)


def _or_none(function: Callable[..., Any], *args: Any) -> Any:
    """Screening aids are helpful, not essential: a contact still opens without them."""
    try:
        return function(*args)
    except Exception:  # noqa: BLE001
        return None
