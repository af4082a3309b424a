"""Modal dialogs. An action dialog runs its service call itself, in a worker; when the store
refuses (someone else changed the contact, a required field is missing) it shows the message
and stays open with everything the officer typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from ffd_core.clock import UK, as_utc, format_uk_datetime
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import (
    CIN_PRIMARY_NEED_CODES,
    OUTCOMES_BY_KIND,
    Consent,
    ContactKind,
    LevelOfNeed,
    Outcome,
)
from ffd_core.errors import FFDError, InvalidInput
from ffd_core.services.contacts import TelephoneCall


class ConfirmDialog(ModalScreen[bool]):
    """y / Enter to go ahead, n / Esc to back out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, message: str, title: str = "Confirm") -> None:
        super().__init__()
        self.message, self.title_text = message, title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, classes="dialog-body")
            yield Static("[b]y[/] yes    [b]n[/] / Esc no", classes="dialog-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ActionDialog(ModalScreen[Any]):
    """Base: ``perform(values)`` runs in a worker; success dismisses with its result."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "Send", id="dialog.submit"),
    ]
    confirm_with: str | None = None  # a question to confirm before perform, or None

    def __init__(self, title: str, perform: Callable[[dict[str, Any]], Any]) -> None:
        super().__init__()
        self.title_text = title
        self.perform = perform
        self.busy = False

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield from self.compose_body()
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static(self.keys_hint(), classes="dialog-keys")

    def keys_hint(self) -> str:
        return "[b]Enter[/] / [b]ctrl+s[/] confirm    [b]Esc[/] back"

    def values(self) -> dict[str, Any]:
        return {}

    def show_error(self, message: str) -> None:
        error = self.query_one("#dialog-error", Static)
        error.update(message)
        error.display = bool(message)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        if self.busy:
            return
        try:
            values = self.values()
        except FFDError as error:
            self.show_error(str(error))
            return
        if self.confirm_with:
            question = self.confirm_with.format(**values)

            def answered(yes: bool | None) -> None:
                if yes:
                    self._perform(values)

            self.app.push_screen(ConfirmDialog(question), answered)
        else:
            self._perform(values)

    def _perform(self, values: dict[str, Any]) -> None:
        self.busy = True
        self.show_error("")

        def failed(error: Exception) -> None:
            self.busy = False
            self.show_error(str(error) if isinstance(error, FFDError) else f"Unexpected: {error}")
            self.app.bell()

        def done(result: Any) -> None:
            self.busy = False
            self.dismiss(result if result is not None else True)

        self.app.run_store(self, lambda: self.perform(values), done=done, failed=failed,
                           group="dialog")


class ReasonDialog(ActionDialog):
    """One line of reason (priority, return, take over, withdraw, reopen...); Enter confirms."""

    def __init__(self, title: str, perform: Callable[[dict[str, Any]], Any], *,
                 prompt: str = "Reason", initial: str = "", detail: str = "",
                 required: bool = True) -> None:
        super().__init__(title, perform)
        self.prompt, self.initial, self.detail, self.required = prompt, initial, detail, required

    def compose_body(self) -> ComposeResult:
        if self.detail:
            yield Static(self.detail, classes="dialog-body")
        yield Label(self.prompt)
        yield Input(self.initial, id="reason", placeholder=self.prompt)

    def on_mount(self) -> None:
        self.show_error("")
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self) -> None:
        self.action_submit()

    def values(self) -> dict[str, Any]:
        reason = self.query_one("#reason", Input).value.strip()
        if self.required and not reason:
            raise InvalidInput(f"{self.prompt.lower()} is required")
        return {"reason": reason}


class NoteDialog(ActionDialog):
    def __init__(self, title: str, perform: Callable[[dict[str, Any]], Any], *,
                 prompt: str = "Note", initial: str = "") -> None:
        super().__init__(title, perform)
        self.prompt, self.initial = prompt, initial

    def keys_hint(self) -> str:
        return "[b]ctrl+s[/] save    [b]Esc[/] back"

    def compose_body(self) -> ComposeResult:
        yield Label(self.prompt)
        yield TextArea(self.initial, id="body", soft_wrap=True)

    def on_mount(self) -> None:
        self.show_error("")
        self.query_one("#body", TextArea).focus()

    def values(self) -> dict[str, Any]:
        body = self.query_one("#body", TextArea).text.strip()
        if not body:
            raise InvalidInput(f"{self.prompt.lower()} is empty")
        return {"body": body}


class LinkDialog(ActionDialog):
    def keys_hint(self) -> str:
        return "[b]Enter[/] on reason / [b]ctrl+s[/] link    [b]Esc[/] back"

    def compose_body(self) -> ComposeResult:
        yield Label("Reference of the other contact")
        yield Input(id="other", placeholder="FFD-2026-000123")
        yield Label("Reason")
        yield Input("same child", id="reason")

    def on_mount(self) -> None:
        self.show_error("")
        self.query_one("#other", Input).focus()

    @on(Input.Submitted, "#other")
    def _next(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self) -> None:
        self.action_submit()

    def values(self) -> dict[str, Any]:
        other = self.query_one("#other", Input).value.strip()
        if not other:
            raise InvalidInput("give the other contact's reference")
        return {"other": other, "reason": self.query_one("#reason", Input).value.strip()}


class AllocateDialog(ActionDialog):
    """Pick an officer (type to jump, arrows) and give a reason."""

    confirm_with = "Allocate {count} contact(s) to {owner_name}?"

    def __init__(self, title: str, perform: Callable[[dict[str, Any]], Any],
                 staff: list[tuple[int, str]], count: int) -> None:
        super().__init__(title, perform)
        self.staff, self.count = staff, count

    def compose_body(self) -> ComposeResult:
        yield Label("Officer")
        yield OptionList(*[Option(name, id=str(uid)) for uid, name in self.staff], id="staff")
        yield Label("Reason (needed when reallocating)")
        yield Input(id="reason")

    def on_mount(self) -> None:
        self.show_error("")
        self.query_one("#staff", OptionList).focus()

    @on(OptionList.OptionSelected, "#staff")
    def _picked(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self) -> None:
        self.action_submit()

    def values(self) -> dict[str, Any]:
        options = self.query_one("#staff", OptionList)
        if options.highlighted is None:
            raise InvalidInput("choose an officer")
        option = options.get_option_at_index(options.highlighted)
        return {"owner_id": int(option.id), "owner_name": str(option.prompt),
                "reason": self.query_one("#reason", Input).value.strip(), "count": self.count}


class RequestInformationDialog(ActionDialog):
    """Pick a template (it fills the message), edit, then send to the referrer."""

    confirm_with = "Send the request for information to {recipient}?"

    def __init__(self, title: str, perform: Callable[[dict[str, Any]], Any], *,
                 recipient: str, templates: list[tuple[str, str, str]], now: datetime) -> None:
        super().__init__(title, perform)
        self.recipient, self.templates, self.now = recipient, templates, now

    def keys_hint(self) -> str:
        return "[b]ctrl+s[/] send (then confirm)    [b]Esc[/] back    [b]tab[/] next field"

    def compose_body(self) -> ComposeResult:
        yield Label("Template")
        yield OptionList(*[Option(f"{n}. {subject}", id=tid)
                           for n, (tid, subject, _text) in enumerate(self.templates, 1)],
                         id="templates")
        with Horizontal(classes="fields"):
            with Vertical(classes="column"):
                yield Label("To")
                yield Input(self.recipient, id="recipient")
            with Vertical(classes="column"):
                yield Label("Chase by (dd/mm/yyyy hh:mm)")
                default = as_utc(self.now + timedelta(days=1)).astimezone(UK)
                yield Input(default.strftime("%d/%m/%Y %H:%M"), id="chase_by")
        yield Label("Message")
        yield TextArea(self.templates[0][2] if self.templates else "", id="message",
                       soft_wrap=True)

    def on_mount(self) -> None:
        self.show_error("")
        target = "#templates" if self.templates else "#message"
        self.query_one(target).focus()

    @on(OptionList.OptionSelected, "#templates")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        text = next(t for tid, _s, t in self.templates if tid == event.option.id)
        area = self.query_one("#message", TextArea)
        area.text = text
        area.focus()

    def values(self) -> dict[str, Any]:
        recipient = self.query_one("#recipient", Input).value.strip()
        message = self.query_one("#message", TextArea).text.strip()
        raw = self.query_one("#chase_by", Input).value.strip()
        try:
            chase_by = datetime.strptime(raw, "%d/%m/%Y %H:%M").replace(tzinfo=UK) if raw else None
        except ValueError:
            raise InvalidInput("write the chase-by time as dd/mm/yyyy hh:mm, e.g. 27/11/2026 12:00")
        return {"recipient": recipient, "message": message, "chase_by": chase_by}


class ReplyDialog(NoteDialog):
    """The referrer answered by phone or email: type or paste what they said."""

    def compose_body(self) -> ComposeResult:
        yield Label("From")
        yield Input(id="sender")
        yield from super().compose_body()

    def on_mount(self) -> None:
        self.show_error("")
        self.query_one("#body", TextArea).focus()

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["sender"] = self.query_one("#sender", Input).value.strip()
        return values


OUTCOME_KEYS = {
    Outcome.NO_FURTHER_ACTION: "n",
    Outcome.EARLY_HELP: "e",
    Outcome.SOCIAL_CARE_REFERRAL: "r",
    Outcome.ADVICE_SIGNPOSTING: "a",
    Outcome.INFORMATION_SHARED: "i",
    Outcome.INFORMATION_DECLINED: "x",
}


class DecideDialog(ActionDialog):
    """Outcome (one letter), a reply template (one digit) to start the rationale, the
    rationale itself, level of need and primary need; ctrl+s, then y to confirm."""

    confirm_with = "Record {outcome_label} for {for_whom} on {reference}?"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next_child", "Next child", id="decide.next_child"),
    ]

    def __init__(self, title: str, perform: Callable[[dict[str, Any]], Any], *,
                 kind: str, children: list[tuple[int, str]], reference: str,
                 templates: list[tuple[str, str, str]], outcome: Outcome | None = None,
                 rationale: str = "") -> None:
        super().__init__(title, perform)
        self.kind = ContactKind(kind)
        self.outcomes = [o for o in OUTCOME_KEYS if o in OUTCOMES_BY_KIND[self.kind]]
        self.children_on_contact, self.reference = children, reference
        self.templates = templates
        self.initial_outcome, self.initial_rationale = outcome, rationale
        # None: one decision for every child; else the child being decided, by position.
        self.child_index: int | None = None
        self.decided: dict[int, ChildDecision] = {}

    def _for_whom(self) -> str:
        if self.child_index is None:
            count = len(self.children_on_contact)
            return "every child" if count != 1 else self.children_on_contact[0][1]
        number = self.child_index + 1
        return (f"child {number} of {len(self.children_on_contact)}: "
                f"{self.children_on_contact[self.child_index][1]}")

    def _show_whom(self) -> None:
        hint = "   ctrl+n: decide child by child" if (
            self.child_index is None and len(self.children_on_contact) > 1) else (
            "   ctrl+n: next child" if self.child_index is not None and
            self.child_index < len(self.children_on_contact) - 1 else "")
        self.query_one("#whom", Label).update(f"For {self._for_whom()}{hint}")

    def action_next_child(self) -> None:
        """Keep this child's decision and go on to the next (the first press starts the
        child-by-child mode with the decision on screen as the first child's)."""
        if len(self.children_on_contact) < 2:
            return
        index = 0 if self.child_index is None else self.child_index
        if index >= len(self.children_on_contact) - 1:
            return
        try:
            decision = self._decision()
        except FFDError as error:
            self.show_error(str(error))
            return
        self.decided[self.children_on_contact[index][0]] = decision
        self.child_index = index + 1
        self.query_one("#rationale", TextArea).text = ""
        self.show_error("")
        self._show_whom()
        self.query_one("#outcome", OptionList).focus()

    def keys_hint(self) -> str:
        return ("outcome: " + "  ".join(f"[b]{OUTCOME_KEYS[o]}[/] {o.label}" for o in self.outcomes)
                + "\ntemplate: [b]1-9[/]    [b]ctrl+s[/] record (then [b]y[/])    [b]Esc[/] back"
                  "    [b]tab[/] next field")

    def compose_body(self) -> ComposeResult:
        yield Label("", id="whom")
        with Horizontal(classes="fields"):
            with Vertical(classes="column"):
                yield Label("Outcome")
                yield OptionList(*[Option(f"{OUTCOME_KEYS[o]}  {o.label}", id=o.value)
                                   for o in self.outcomes], id="outcome")
            with Vertical(classes="column"):
                yield Label("Reply template (starts the rationale)")
                yield OptionList(*[Option(f"{n}  {subject}", id=tid) for n, (tid, subject, _t)
                                   in enumerate(self.templates, 1)], id="template")
        with Horizontal(classes="fields"):
            with Vertical(classes="column"):
                yield Label("Level of need")
                yield Select([(level.label, level.value) for level in LevelOfNeed],
                             id="level", prompt="(not given)")
            with Vertical(classes="column"):
                yield Label("CIN primary need (referrals)")
                yield Select([(code, code) for code in sorted(CIN_PRIMARY_NEED_CODES)],
                             id="primary_need", prompt="(not given)")
        yield Label("Rationale")
        yield TextArea(self.initial_rationale, id="rationale", soft_wrap=True)
        yield Static("", id="preview", classes="preview")

    chosen_template: str | None = None

    def on_mount(self) -> None:
        self.show_error("")
        self._show_whom()
        self.query_one("#preview", Static).display = False
        outcomes = self.query_one("#outcome", OptionList)
        if self.initial_outcome in self.outcomes:
            outcomes.highlighted = self.outcomes.index(self.initial_outcome)
            self.query_one("#template", OptionList).focus()
        else:
            outcomes.focus()

    def on_key(self, event) -> None:
        focused = self.focused
        if isinstance(focused, (TextArea, Input)) or isinstance(focused, Select) and focused.expanded:
            return
        digit = event.key.isdigit() and 1 <= int(event.key) <= len(self.templates)
        if self.templates and focused is self.query_one("#template", OptionList):
            if digit:
                self._use_template(int(event.key) - 1)
                event.stop()
            elif event.is_printable and event.character and event.character != " ":
                # Typing straight on from the template list writes the rationale.
                area = self.query_one("#rationale", TextArea)
                area.focus()
                area.insert(event.character)
                event.stop()
            return
        for outcome in self.outcomes:
            if event.key == OUTCOME_KEYS[outcome]:
                self.query_one("#outcome", OptionList).highlighted = self.outcomes.index(outcome)
                target = "#template" if self.templates else "#rationale"
                self.query_one(target).focus()
                event.stop()
                return
        if digit:
            self._use_template(int(event.key) - 1)
            event.stop()

    @on(OptionList.OptionSelected, "#outcome")
    def _outcome_picked(self) -> None:
        self.query_one("#template" if self.templates else "#rationale").focus()

    @on(OptionList.OptionSelected, "#template")
    def _template_picked(self, event: OptionList.OptionSelected) -> None:
        self._use_template(event.option_index)

    def _use_template(self, index: int) -> None:
        """The template names the reason and shows the reply the referrer will get; the
        rationale starts with the reason and the officer types the rest."""
        options = self.query_one("#template", OptionList)
        options.highlighted = index
        self.chosen_template = self.templates[index][0]
        name = str(options.get_option_at_index(index).prompt).split("  ", 1)[-1]
        self.query_one("#preview", Static).update(self.templates[index][2])
        self.query_one("#preview", Static).display = True
        area = self.query_one("#rationale", TextArea)
        starts = tuple(f"{str(o.prompt).split('  ', 1)[-1]}: " for o in options.options)
        typed = area.text
        for start in starts:
            typed = typed.removeprefix(start)
        area.text = f"{name}: {typed}"
        area.focus()
        area.move_cursor(area.document.end)

    def _decision(self) -> ChildDecision:
        options = self.query_one("#outcome", OptionList)
        if options.highlighted is None:
            raise InvalidInput("choose an outcome")
        outcome = self.outcomes[options.highlighted]
        level = self.query_one("#level", Select).value
        primary = self.query_one("#primary_need", Select).value
        return ChildDecision(
            outcome=outcome, rationale=self.query_one("#rationale", TextArea).text.strip(),
            level_of_need=LevelOfNeed(level) if isinstance(level, str) else None,
            primary_need=primary if isinstance(primary, str) else None,
        )

    def values(self) -> dict[str, Any]:
        decision = self._decision()
        values: dict[str, Any] = {
            "decision": decision, "decisions": None, "outcome_label": decision.outcome.label,
            "for_whom": self._for_whom(), "template": self.chosen_template,
            "reference": self.reference,
        }
        if self.child_index is not None:
            child_id = self.children_on_contact[self.child_index][0]
            decisions = {**self.decided, child_id: decision}
            # Children not decided yet are left out: the service names what is missing.
            values["decisions"] = [replace(d, child_id=cid) for cid, d in decisions.items()]
            values["outcome_label"] = ", ".join(sorted({d.outcome.label
                                                        for d in decisions.values()}))
            values["for_whom"] = f"{len(decisions)} of {len(self.children_on_contact)} children"
        return values


class TelephoneDialog(ActionDialog):
    """A call typed in by the officer: the minimum a contact needs; the rest follows on screen."""

    confirm_with = "Record the telephone contact about {child}?"

    def __init__(self, title: str, perform: Callable[[dict[str, Any]], Any],
                 categories: list[tuple[str, str]]) -> None:
        super().__init__(title, perform)
        self.categories = categories

    def keys_hint(self) -> str:
        return "[b]tab[/] next field    [b]ctrl+s[/] record (then [b]y[/])    [b]Esc[/] back"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            with Horizontal(classes="fields"):
                with Vertical(classes="column"):
                    yield Label("Child's given name")
                    yield Input(id="given")
                with Vertical(classes="column"):
                    yield Label("Family name")
                    yield Input(id="family")
                with Vertical(classes="column"):
                    yield Label("Date of birth (dd/mm/yyyy)")
                    yield Input(id="dob")
            with Horizontal(classes="fields"):
                with Vertical(classes="column"):
                    yield Label("Caller's name")
                    yield Input(id="caller")
                with Vertical(classes="column"):
                    yield Label("Caller's agency")
                    yield Input(id="agency")
                with Vertical(classes="column"):
                    yield Label("Caller's phone")
                    yield Input(id="phone")
                with Vertical(classes="column"):
                    yield Label("Came in at (HH:MM)")
                    yield Input(id="received", placeholder="now")
            with Horizontal(classes="fields"):
                with Vertical(classes="column"):
                    yield Label("Category")
                    yield Select(self.categories, id="category", prompt="(choose)")
                with Vertical(classes="column"):
                    yield Label("Consent")
                    yield Select([("given", "given"), ("refused", "refused"),
                                  ("not sought: risk to the child", "not_sought_risk")],
                                 id="consent", value="given", allow_blank=False)
                with Vertical(classes="column"):
                    yield Label("Why (if not given)")
                    yield Input(id="consent_reason")
            yield Label("What the caller said")
            yield TextArea(id="said", soft_wrap=True)

    def on_mount(self) -> None:
        self.show_error("")
        self.query_one("#given", Input).focus()

    def values(self) -> dict[str, Any]:
        def text(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value.strip()

        dob_raw = text("dob")
        try:
            dob = datetime.strptime(dob_raw, "%d/%m/%Y").date() if dob_raw else None
        except ValueError:
            raise InvalidInput("write the date of birth as dd/mm/yyyy") from None
        category = self.query_one("#category", Select).value
        call = TelephoneCall(
            category=category if isinstance(category, str) else "",
            given_name=text("given"), family_name=text("family"), date_of_birth=dob,
            caller=text("caller"), caller_agency=text("agency"), caller_phone=text("phone"),
            consent=Consent(self.query_one("#consent", Select).value),
            consent_reason=text("consent_reason"),
            what_was_said=self.query_one("#said", TextArea).text.strip(),
            received_at=_earlier_today(text("received"), self.app.ctx.now()),
        )
        return {"call": call, "child": f"{call.given_name} {call.family_name}".strip() or "a child"}


def _earlier_today(raw: str, now: datetime) -> datetime | None:
    """HH:MM today (UK time), for a call typed in after it came in; blank is now."""
    if not raw:
        return None
    try:
        at = datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise InvalidInput("write when the call came in as HH:MM, e.g. 09:40, or leave it blank") from None
    return as_utc(datetime.combine(now.astimezone(UK).date(), at, UK))


def chase_default(now: datetime) -> str:
    return format_uk_datetime(now + timedelta(days=1))
