"""One contact: answers, thread, notes, history, decisions, links, attachments, guidance and
suggested priority, with every action the officer's role allows, one or two keys each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from ffd_core.domain.access import Action
from ffd_core.domain.vocab import Outcome, Status
from ffd_core.errors import NothingToTake
from ffd_core.services import directory, notes, ownership, queue, screening
from ffd_core.services import decisions as deciding
from ffd_core.services.contact_view import ContactView, view_contact
from ffd_tui import presenters
from ffd_tui.format import (
    format_day,
    format_uk_datetime,
    label,
    priority_label,
    time_left,
)
from ffd_tui.screens.dialogs import (
    ConfirmDialog,
    DecideDialog,
    LinkDialog,
    NoteDialog,
    ReasonDialog,
    ReplyDialog,
    RequestInformationDialog,
)
from ffd_tui.widgets.counters import CountersStrip

# action -> the lifecycle edge or access-policy action it needs (None: any reader)
ACTION_EDGES: dict[str, str | None] = {
    "claim": "claim", "release": "release", "take_over": "take_over",
    "priority": "set_priority", "request_information": "request_information",
    "record_reply": "record_reply", "decide": "decide", "reject": "decide",
    "approve": "approve", "return": "return", "reallocate": "reallocate",
    "reopen": "reopen", "withdraw": "withdraw", "close_in_error": "close_in_error",
    "note": Action.NOTE, "link": Action.LINK_CONTACTS, "take_next": Action.TAKE_NEXT,
}

TABS = ["answers", "thread", "notes", "history", "decisions", "links", "guidance", "attachments"]


class ContactScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="contact.back"),
        Binding("c", "claim", "Claim", id="contact.claim"),
        Binding("u", "release", "Release", id="contact.release"),
        Binding("C", "take_over", "Take over", show=False, id="contact.take_over"),
        Binding("1", "priority(1)", "Priority 1 (immediate)", show=False, id="contact.priority_1"),
        Binding("2", "priority(2)", "Priority 2 (high)", show=False, id="contact.priority_2"),
        Binding("3", "priority(3)", "Priority 3 (standard)", show=False, id="contact.priority_3"),
        Binding("4", "priority(4)", "Priority 4 (low)", show=False, id="contact.priority_4"),
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
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False, id="contact.next_tab"),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False, id="contact.prev_tab"),
    ]

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.view: ContactView | None = None
        self.own_versions: set[int] = set()
        self.changed_elsewhere = ""

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield CountersStrip(self.app.who)
        yield Static("Opening…", id="contact-header")
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
        ctx, actor = self.app.ctx, self.app.actor

        def work() -> tuple[ContactView, Any, Any, Any]:
            view = view_contact(ctx, actor, self.contact_id)
            return (view, _or_none(presenters.suggestion_for, ctx, view),
                    _or_none(presenters.guidance_for, ctx, view) or ("", []),
                    _or_none(presenters.answers_for, ctx, view))

        def failed(error: Exception) -> None:
            self.app.show_error(error)
            if self.view is None and self.app.screen is self:
                self.app.pop_screen()  # nothing to show: back to where the officer was

        self.app.run_store(self, work, done=self._show, failed=failed, group="contact-load",
                           exclusive=True)

    def _show(self, result: tuple[ContactView, Any, Any, Any]) -> None:
        view, suggestion, guidance, labels = result
        self.view, self.suggestion = view, suggestion
        self.changed_elsewhere = ""
        self.own_versions.add(view.version)
        self.query_one("#contact-banner", Static).display = False
        self.query_one("#contact-header", Static).update(self._header(view))
        self.query_one("#body-answers", Static).update(self._answers(view, labels))
        self.query_one("#body-thread", Static).update(Group(
            self._thread(view.thread, "No messages yet."), self._deliveries(view)))
        self.query_one("#body-notes", Static).update(self._thread(view.notes, "No notes yet."))
        self.query_one("#body-history", Static).update(self._history(view))
        self.query_one("#body-decisions", Static).update(self._decisions(view))
        self.query_one("#body-links", Static).update(self._links(view))
        self.query_one("#body-guidance", Static).update(self._guidance(view, suggestion, guidance))
        self.query_one("#body-attachments", Static).update(self._attachments(view))
        self.refresh_bindings()

    # ------------------------------------------------------------------ rendering
    def _header(self, v: ContactView) -> Text:
        left, cls = time_left(v.due_at, v.status, self.app.ctx.now(), self.app.ctx.clock_policy)
        text = Text()
        text.append(f"{v.reference}", style="bold")
        text.append(f"  {label(v.kind)} by {label(v.channel)}  ")
        text.append(priority_label(v.priority), style="bold red" if v.priority == 1 else "bold")
        text.append(f"  {label(v.status)}", style="bold")
        text.append(f"  owner: {v.owner or 'unallocated'}")
        text.append("  left: ")
        text.append(left or "—", style={"breached": "bold red", "due-soon": "bold yellow"}.get(cls, ""))
        if v.restricted:
            text.append("  RESTRICTED", style="bold red")
        text.append(f"\nreceived {format_uk_datetime(v.received_at)}")
        if v.due_at:
            text.append(f"  due {format_uk_datetime(v.due_at)}")
        text.append(f"  category: {label(v.category) or '—'}  from: {v.referrer_agency or '—'}")
        text.append(f"  consent: {label(v.consent)}")
        text.append(f"  changed {format_uk_datetime(v.changed_at)} by {v.changed_by}", style="dim")
        if self.app.may("set_priority"):
            text.append("   1-4 set priority  [ ] tabs", style="dim italic")
        else:
            text.append("   read only  [ ] tabs", style="dim italic")
        return text

    def _answers(self, v: ContactView, rows: list[tuple[str, str, str]] | None) -> Group:
        people = Table(box=None, show_header=True, header_style="bold", expand=False)
        for column in ("Child", "Born", "Gender", "Address", "School", "NHS", "Person"):
            people.add_column(column)
        for child in v.children:
            born = format_day(child.date_of_birth) if child.date_of_birth else (
                f"due {format_day(child.expected_due_date)}" if child.expected_due_date else "")
            people.add_row(child.name, born, child.gender or "",
                           " ".join(x for x in (child.address, child.postcode) if x),
                           child.school or "", child.nhs_number or "", child.person_id or "")
        household = Text()
        for person in v.household:
            household.append(f"  {person.name} ({person.relationship or 'household'})"
                             f"{'  ' + person.address if person.address else ''}\n")
        referrer = v.referrer
        who = Text(f"Referrer: {referrer.get('name') or ('anonymous' if v.anonymous else '—')}"
                   f", {referrer.get('role') or ''} {v.referrer_agency}  "
                   f"{referrer.get('phone') or ''} {referrer.get('email') or ''}")
        form_id, version, _hash = v.form
        form = Text(f"Form: {form_id} version {version}" if form_id else "Form: none recorded",
                    style="dim")
        answers = Table(box=None, show_header=False, expand=True)
        answers.add_column(style="bold", ratio=1)
        answers.add_column(ratio=3)
        if rows is None:  # the form could not be read: the raw answers, plainly
            rows = [("", label(key).capitalize(), _answer(value)) for key, value in v.answers.items()]
        section = None
        for heading, question, answer in rows:
            if heading and heading != section:
                answers.add_row(Text(heading, style="bold underline"), "")
                section = heading
            answers.add_row(question, answer)
        parts: list[Any] = [people]
        if v.household:
            parts += [Text("Household", style="bold"), household]
        parts += [who, form, Text(""), answers]
        return Group(*parts)

    def _thread(self, items, empty: str) -> Text:
        if not items:
            return Text(empty, style="dim")
        text = Text()
        for item in items:
            arrow = {"out": "→", "in": "←"}.get(item.direction, "•")
            text.append(f"{format_uk_datetime(item.at)} {arrow} {label(item.kind)} — {item.who}",
                        style="bold")
            if item.chase_by:
                text.append(f"  (chase by {format_uk_datetime(item.chase_by)})", style="yellow")
            text.append(f"\n{item.body}\n\n")
        return text

    def _deliveries(self, v: ContactView) -> Text:
        """What went out for this contact and how it went (sent, retrying, failed...)."""
        text = Text()
        if v.deliveries:
            text.append("Delivery\n", style="bold underline")
        for d in v.deliveries:
            text.append(f"{format_uk_datetime(d.queued_at)} {d.purpose} to {d.to or '—'}: ")
            text.append(d.status, style={"dead": "bold red", "sent": "green"}.get(d.state, "yellow"))
            if d.timeliness:
                text.append(f" ({d.timeliness})", style="" if d.in_time else "bold red")
            if d.last_error and d.state != "sent":
                text.append(f" — {d.last_error}", style="red")
            text.append("\n")
        return text

    def _history(self, v: ContactView) -> Table:
        table = Table(box=None, header_style="bold", expand=True)
        for column in ("When", "Who", "What", "From → to", "Detail"):
            table.add_column(column)
        for h in v.history:
            move = f"{label(h.from_status)} → {label(h.to_status)}" if h.to_status else ""
            detail = ", ".join(f"{k}: {val}" for k, val in h.detail.items() if val not in (None, ""))
            table.add_row(format_uk_datetime(h.at), h.actor, label(h.action), move, detail)
        return table

    def _decisions(self, v: ContactView) -> Table | Text:
        if not v.decisions:
            return Text("No decision yet.", style="dim")
        table = Table(box=None, header_style="bold", expand=True)
        for column in ("Child", "Outcome", "Level", "State", "By", "When", "Rationale"):
            table.add_column(column)
        for d in v.decisions:
            table.add_row(d.child, label(d.outcome), label(d.level_of_need), d.state,
                          d.decided_by, format_uk_datetime(d.decided_at), d.rationale)
        return table

    def _links(self, v: ContactView) -> Text:
        if not v.links:
            return Text("No linked contacts. Press l to link one.", style="dim")
        text = Text()
        for link in v.links:
            text.append(f"{link.reference}  {label(link.status)}  — {link.reason}\n")
        return text

    def _guidance(self, v: ContactView, suggestion, guidance) -> Text:
        text = Text()
        if suggestion:
            priority, reasons = suggestion
            text.append(f"Suggested priority: {priority_label(priority)}\n", style="bold")
            for reason in reasons:
                text.append(f"  • {reason}\n")
            text.append(f"Current: {priority_label(v.priority)}"
                        f"{' — ' + v.priority_reason if v.priority_reason else ''}\n\n")
        url, levels = guidance
        if levels:
            text.append(f"Threshold guidance for {label(v.category)}", style="bold")
            text.append(f"  {url}\n", style="dim")
            for title, indicators in levels:
                text.append(f"{title}\n", style="bold")
                for indicator_id, words in indicators:
                    text.append(f"  {indicator_id}  {words}\n")
        if not text.plain:
            text.append("No guidance or suggestion for this category yet.", style="dim")
        return text

    def _attachments(self, v: ContactView) -> Text:
        if not v.attachments:
            return Text("No attachments.", style="dim")
        text = Text()
        for a in v.attachments:
            text.append(f"{a['filename']}  {a['media_type']}  {a['size']:,} bytes\n")
        text.append("\n(Opening and saving attachments needs an attachment service in ffd_core.)",
                    style="dim")
        return text

    # ------------------------------------------------------------------ roles
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTION_EDGES:
            edge = ACTION_EDGES[action]
            return None if edge is None else self.app.may(edge)
        return True

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
        banner.update(self.changed_elsewhere)
        banner.display = True
        self.app.bell()

    # ------------------------------------------------------------------ actions
    def _write(self, call: Callable[[int | None], Any]) -> Callable[[dict[str, Any]], Any]:
        """Wrap a service call so it gets the version this screen last showed."""
        def perform(values: dict[str, Any]) -> Any:
            version = self.view.version if self.view else None
            result = call(version, **values) if values else call(version)
            if isinstance(result, int):
                self.own_versions.add(result)
            return result
        return perform

    def _after(self, message: str, advance: bool = False) -> Callable[[Any], None]:
        def done(result: Any) -> None:
            if result is None:
                return  # backed out
            self.app.notify(message)
            if advance:
                self.advance()
            else:
                self.load()
        return done

    def advance(self) -> None:
        """Act and advance: serve the next contact, or go back to the holding area."""
        ctx, actor = self.app.ctx, self.app.actor

        def failed(error: Exception) -> None:
            self.app.notify(str(error) if isinstance(error, NothingToTake) else f"{error}",
                            severity="information" if isinstance(error, NothingToTake) else "error")
            self.app.pop_screen()

        def done(stamp: tuple[int, str, int]) -> None:
            contact_id, reference, _v = stamp
            self.app.notify(f"Next: {reference}")
            self.app.switch_screen(ContactScreen(contact_id))

        self.app.run_store(self, lambda: ownership.take_next(ctx, actor), done=done, failed=failed,
                           group="advance")

    def _simple(self, call: Callable[[int | None], Any], message: str) -> None:
        def failed(error: Exception) -> None:
            self.app.show_error(error)
            self.load()
        self.app.run_store(self, lambda: self._write(call)({}), done=self._after(message),
                           failed=failed, group="contact-write")

    def action_back(self) -> None:
        self.app.pop_screen()

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

    def action_reload(self) -> None:
        self.load()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = tabs.active.removeprefix("tab-")
        tabs.active = f"tab-{TABS[(TABS.index(current) + step) % len(TABS)]}"

    def action_claim(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self._simple(lambda v: ownership.claim(ctx, actor, self.contact_id, expected_version=v),
                     "Claimed")

    def action_release(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self._confirm(f"Release {self._ref()} back to the queue?", lambda: self._simple(
            lambda v: ownership.release(ctx, actor, self.contact_id, expected_version=v), "Released"))

    def action_approve(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self._confirm(f"Approve the proposed decision on {self._ref()}?", lambda: self._simple(
            lambda v: deciding.approve(ctx, actor, self.contact_id, expected_version=v), "Approved"))

    def action_take_next(self) -> None:
        self.advance()

    def _confirm(self, question: str, then: Callable[[], None]) -> None:
        self.app.push_screen(ConfirmDialog(question), lambda yes: then() if yes else None)

    def _ref(self) -> str:
        return self.view.reference if self.view else "this contact"

    def _reason(self, title: str, call: Callable[..., Any], message: str, *,
                initial: str = "", detail: str = "") -> None:
        self.app.push_screen(ReasonDialog(title, self._write(call), initial=initial, detail=detail),
                             self._after(message))

    def action_priority(self, priority: int) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        initial = ""
        suggestion = getattr(self, "suggestion", None)
        if suggestion and suggestion[0] == priority:
            initial = "; ".join(suggestion[1])
        self._reason(f"Set priority {priority_label(priority)} on {self._ref()}",
                     lambda v, reason: screening.set_priority(ctx, actor, self.contact_id, priority,
                                                           reason, expected_version=v),
                     f"Priority set to {priority}", initial=initial or "screened")

    def action_take_over(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self._reason(f"Take over {self._ref()}", lambda v, reason: ownership.take_over(
            ctx, actor, self.contact_id, reason, expected_version=v), "Taken over")

    def action_return(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self._reason(f"Return {self._ref()} for rework", lambda v, reason: deciding.return_for_rework(
            ctx, actor, self.contact_id, reason, expected_version=v), "Returned for rework")

    def action_reopen(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self._reason(f"Reopen {self._ref()}", lambda v, reason: screening.reopen(
            ctx, actor, self.contact_id, reason, expected_version=v), "Reopened")

    def action_withdraw(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self._reason(f"Withdraw {self._ref()}", lambda v, reason: screening.withdraw(
            ctx, actor, self.contact_id, reason, expected_version=v), "Withdrawn")

    def action_close_in_error(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self._reason(f"Close {self._ref()} in error", lambda v, reason: screening.close_in_error(
            ctx, actor, self.contact_id, reason, expected_version=v), "Closed in error")

    def action_reallocate(self) -> None:
        from ffd_tui.screens.dialogs import AllocateDialog

        ctx, actor = self.app.ctx, self.app.actor

        def show(staff: list[tuple[int, str]]) -> None:
            def perform(values: dict[str, Any]) -> Any:
                return self._write(lambda v: ownership.allocate(
                    ctx, actor, self.contact_id, values["owner_id"], values["reason"],
                    expected_version=v))({})
            self.app.push_screen(AllocateDialog(f"Allocate {self._ref()}", perform, staff, 1),
                                 self._after("Allocated"))

        self.app.run_store(self, lambda: directory.allocatable_staff(ctx), done=show)

    def action_note(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self.app.push_screen(
            NoteDialog(f"Note on {self._ref()}",
                       lambda values: notes.add_note(ctx, actor, self.contact_id, values["body"])),
            self._after("Note added"))

    def action_record_reply(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        self.app.push_screen(
            ReplyDialog(f"Record the referrer's reply on {self._ref()}",
                        lambda values: screening.record_reply(ctx, actor, self.contact_id,
                                                           values["body"], values["sender"]),
                        prompt="What they said"),
            self._after("Reply recorded"))

    def action_link(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor

        def perform(values: dict[str, Any]) -> Any:
            other = queue.find_by_reference(ctx, actor, values["other"])
            if other is None:
                from ffd_core.errors import NotFound
                raise NotFound(f"no contact {values['other']}; check the reference")
            notes.link_contacts(ctx, actor, self.contact_id, other.id, values["reason"])
            return True

        self.app.push_screen(LinkDialog(f"Link {self._ref()} to another contact", perform),
                             self._after("Linked"))

    def action_request_information(self) -> None:
        if self.view is None:
            return
        ctx, actor, view = self.app.ctx, self.app.actor, self.view
        respond_by = ctx.now() + timedelta(days=1)
        choices = _or_none(presenters.template_choices, ctx, "request_for_information") or []
        templates = [(tid, subject, presenters.render_template(ctx, tid, view, questions=[],
                                                             respond_by=respond_by))
                     for tid, subject in choices]
        if not templates:
            templates = [("plain", "Request for information", "")]
        recipient = view.referrer.get("email") or ""
        self.app.push_screen(
            RequestInformationDialog(
                f"Ask for more information — {view.reference}",
                self._write(lambda v, recipient, message, chase_by: screening.request_information(
                    ctx, actor, self.contact_id, recipient=recipient, message=message,
                    chase_by=chase_by, expected_version=v)),
                recipient=recipient, templates=templates, now=ctx.now()),
            self._after("Request for information sent", advance=True))

    def _decide(self, outcome: Outcome | None, prefix: str) -> None:
        if self.view is None:
            return
        ctx, actor, view = self.app.ctx, self.app.actor, self.view
        templates = [(tid, subject, presenters.render_template(ctx, tid, view, where_to_go=""))
                     for tid, subject in _or_none(presenters.template_choices, ctx, prefix) or []]

        def call(v: int | None, decision, decisions=None, template=None, **_ignored) -> Any:
            # The chosen template's reply (as previewed) goes to the referrer with the decision.
            text = next((t for tid, _s, t in templates if tid == template), "")
            reply = (template, text) if template and text and view.referrer.get("email") else None
            if decisions:
                return deciding.decide(ctx, actor, self.contact_id, decisions,
                                     expected_version=v, reply=reply)
            return deciding.decide(ctx, actor, self.contact_id, same_for_all=decision,
                                 expected_version=v, reply=reply)

        self.app.push_screen(
            DecideDialog(f"Decide {view.reference}", self._write(call), kind=view.kind,
                         children=[(c.id, c.name) for c in view.children],
                         reference=view.reference, templates=templates, outcome=outcome),
            self._decided)

    def _decided(self, result: Any) -> None:
        if result is None:
            return
        status = Status(result) if isinstance(result, str) else None
        self.app.notify("Decided" + (": waiting for a supervisor's sign-off"
                                     if status is Status.AWAITING_SIGN_OFF else ""))
        self.advance()

    def action_decide(self) -> None:
        self._decide(None, "rejection.")

    def action_reject(self) -> None:
        self._decide(Outcome.NO_FURTHER_ACTION, "rejection.")


def _or_none(function: Callable[..., Any], *args: Any) -> Any:
    """Screening aids are helpful, not essential: a contact still opens without them."""
    try:
        return function(*args)
    except Exception:  # noqa: BLE001
        return None


def _answer(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_answer(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {_answer(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)
