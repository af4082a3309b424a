"""Decide a contact: an outcome (one letter), a reply to the referrer (one digit: a rejection
citing the threshold guidance, or the outcome's own letter) that also starts the rationale,
the rationale itself, level of need and primary need; ctrl+s, then y to confirm. With
several children, ctrl+n decides them one by one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker

from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import (
    CIN_PRIMARY_NEED_CODES,
    OUTCOMES_BY_KIND,
    ContactKind,
    LevelOfNeed,
    Outcome,
)
from ffd_core.errors import InvalidInput
from ffd_core.services.replies import ReplyChoice
from ffd_tui.plain import plain
from ffd_tui.screens.dialogs.base import ActionDialog

OUTCOME_KEYS = {
    Outcome.NO_FURTHER_ACTION: "n",
    Outcome.EARLY_HELP: "e",
    Outcome.SOCIAL_CARE_REFERRAL: "r",
    Outcome.ADVICE_SIGNPOSTING: "a",
    Outcome.INFORMATION_SHARED: "i",
    Outcome.INFORMATION_DECLINED: "x",
}
TEMPLATE_KEYS = 9  # digits 1 to 9


@dataclass(frozen=True)
class DecisionCommand:
    """Exactly one of ``decisions`` (child by child) and ``same_for_all`` is given."""

    decisions: tuple[ChildDecision, ...] | None
    same_for_all: ChildDecision | None
    reply: tuple[str, str] | None  # (template id, text) the referrer gets with the decision


class TemplateList(OptionList):
    """The reply templates. Digits choose one (the dialog's bindings); any other character
    typed here goes on into the rationale, as if it had the cursor: an officer who wants no
    template just types."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return (character is not None and character.isprintable()
                and not character.isdigit() and character not in " ?")

    def _on_key(self, event: events.Key) -> None:
        if self.check_consume_key(event.key, event.character):
            event.stop()
            event.prevent_default()
            area = self.screen.query_one("#rationale", TextArea)
            area.focus()
            area.insert(event.character or "")


class DecideDialog(ActionDialog[DecisionCommand]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next_child", "Next child", id="decide.next_child"),
        *(Binding(key, f"outcome('{outcome.value}')", outcome.label.capitalize(),
                  id=f"decide.{outcome.value}") for outcome, key in OUTCOME_KEYS.items()),
        *(Binding(str(n), f"template({n})", f"Reply template {n}", id=f"decide.template_{n}")
          for n in range(1, TEMPLATE_KEYS + 1)),
    ]
    first_field = "#outcome"
    submit_words = "record (then [b]y[/])"

    def __init__(self, title: str, perform: Callable[[DecisionCommand], Worker], *,
                 kind: str, children: list[tuple[int, str]], reference: str,
                 replies: list[ReplyChoice], can_reply: bool, outcome: Outcome | None = None,
                 rationale: str = "") -> None:
        super().__init__(title, perform)
        kind_outcomes = OUTCOMES_BY_KIND[ContactKind(kind)]
        self.outcomes = [o for o in OUTCOME_KEYS if o in kind_outcomes]
        self.children_on_contact, self.reference = children, reference
        self.replies, self.can_reply = replies, can_reply
        self.shown: list[ReplyChoice] = [r for r in replies if r.outcome is None]
        self.chosen: ReplyChoice | None = None
        self.initial_outcome, self.initial_rationale = outcome, rationale
        # None: one decision for every child; else the child being decided, by position.
        self.child_index: int | None = None
        self.decided: dict[int, ChildDecision] = {}

    # ------------------------------------------------------------------ layout
    def keys_hint(self) -> str:
        outcomes = "  ".join(f"[b]{self.app.shown_key(f'decide.{o.value}')}[/] {o.label}"
                             for o in self.outcomes)
        digits = (f"{self.app.shown_key('decide.template_1')}-"
                  f"{self.app.shown_key(f'decide.template_{TEMPLATE_KEYS}')}")
        return (f"outcome: {outcomes}\ntemplate: [b]{digits}[/]    "
                + super().keys_hint() + "    [b]tab[/] next field")

    def compose_body(self) -> ComposeResult:
        yield Label("", id="whom")
        with Horizontal(classes="fields"):
            with Vertical(classes="column"):
                yield Label("Outcome")
                yield OptionList(*[Option(f"{self.app.shown_key(f'decide.{o.value}')}  {o.label}",
                                          id=o.value) for o in self.outcomes], id="outcome")
            with Vertical(classes="column"):
                yield Label("Reply template (starts the rationale)")
                yield TemplateList(*self._options(), id="template")
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

    def _options(self) -> list[Option]:
        return [Option(plain(f"{self.app.shown_key(f'decide.template_{n}')}  {reply.name}"),
                       id=reply.template_id) for n, reply in enumerate(self.shown, 1)]

    def on_mount(self) -> None:
        super().on_mount()
        self._show_whom()
        self.query_one("#preview", Static).display = False
        if self.initial_outcome in self.outcomes:
            self.query_one("#outcome", OptionList).highlighted = \
                self.outcomes.index(self.initial_outcome)
            self.query_one("#template", OptionList).focus()

    # ------------------------------------------------------------------ which keys work
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "outcome":
            return Outcome(str(parameters[0])) in self.outcomes
        if action == "template":
            return int(str(parameters[0])) <= len(self.shown)
        if action == "next_child":
            return len(self.children_on_contact) > 1
        return True

    # ------------------------------------------------------------------ outcome and reply
    def _outcome(self) -> Outcome | None:
        index = self.query_one("#outcome", OptionList).highlighted
        return self.outcomes[index] if index is not None else None

    def action_outcome(self, value: str) -> None:
        self.query_one("#outcome", OptionList).highlighted = self.outcomes.index(Outcome(value))
        self.query_one("#template" if self.shown else "#rationale").focus()

    @on(OptionList.OptionSelected, "#outcome")
    def _outcome_picked(self) -> None:
        self.query_one("#template" if self.shown else "#rationale").focus()

    @on(OptionList.OptionHighlighted, "#outcome")
    def _outcome_moved(self) -> None:
        """Each outcome offers its own letter beside the rejections."""
        outcome = self._outcome()
        self.shown = [r for r in self.replies if r.outcome in (None, outcome)]
        if self.chosen not in self.shown:
            self.chosen = None
            self.query_one("#preview", Static).display = False
        templates = self.query_one("#template", OptionList)
        templates.clear_options()
        templates.add_options(self._options())
        if self.chosen is not None:
            templates.highlighted = self.shown.index(self.chosen)

    def action_template(self, number: int) -> None:
        self._use_template(number - 1)

    @on(OptionList.OptionSelected, "#template")
    def _template_picked(self, event: OptionList.OptionSelected) -> None:
        self._use_template(event.option_index)

    def _use_template(self, index: int) -> None:
        """The template names the reason and shows the reply the referrer will get; the
        rationale starts with the reason and the officer types the rest."""
        self.chosen = reply = self.shown[index]
        self.query_one("#template", OptionList).highlighted = index
        preview = self.query_one("#preview", Static)
        if not reply.text:
            preview.update("(This template cannot be filled in for this contact: no reply "
                           "goes with the decision.)")
        elif not self.can_reply:
            preview.update("(Not sent: the referrer has no email address. Tell them another "
                           f"way.)\n{reply.text}")
        else:
            preview.update(plain(reply.text))
        preview.display = True
        area = self.query_one("#rationale", TextArea)
        typed = area.text
        for start in {f"{r.name}: " for r in self.replies}:
            typed = typed.removeprefix(start)
        area.text = f"{reply.name}: {typed}"
        area.focus()
        area.move_cursor(area.document.end)

    # ------------------------------------------------------------------ child by child
    def _for_whom(self) -> str:
        if self.child_index is None:
            count = len(self.children_on_contact)
            return "every child" if count != 1 else self.children_on_contact[0][1]
        number = self.child_index + 1
        return (f"child {number} of {len(self.children_on_contact)}: "
                f"{self.children_on_contact[self.child_index][1]}")

    def _show_whom(self) -> None:
        key = self.app.shown_key("decide.next_child")
        last = len(self.children_on_contact) - 1
        hint = f"   {key}: decide child by child" if (
            self.child_index is None and last > 0) else (
            f"   {key}: next child" if self.child_index is not None and
            self.child_index < last else "")
        self.query_one("#whom", Label).update(plain(f"For {self._for_whom()}{hint}"))

    def action_next_child(self) -> None:
        """Keep this child's decision and go on to the next (the first press starts the
        child-by-child mode with the decision on screen as the first child's)."""
        index = 0 if self.child_index is None else self.child_index
        if index >= len(self.children_on_contact) - 1:
            return
        decision = self.read(self._decision)
        if decision is None:
            return
        self.decided[self.children_on_contact[index][0]] = decision
        self.child_index = index + 1
        self.query_one("#rationale", TextArea).text = ""
        self.show_error("")
        self._show_whom()
        self.query_one("#outcome", OptionList).focus()

    # ------------------------------------------------------------------ the command
    def _decision(self) -> ChildDecision:
        outcome = self._outcome()
        if outcome is None:
            raise InvalidInput("choose an outcome")
        level = self.query_one("#level", Select).value
        primary = self.query_one("#primary_need", Select).value
        return ChildDecision(
            outcome=outcome, rationale=self.query_one("#rationale", TextArea).text.strip(),
            level_of_need=LevelOfNeed(level) if isinstance(level, str) else None,
            primary_need=primary if isinstance(primary, str) else None,
        )

    def command(self) -> DecisionCommand:
        decision = self._decision()
        chosen = self.chosen
        reply = (chosen.template_id, chosen.text) if (
            chosen is not None and chosen.text and self.can_reply) else None
        if self.child_index is None:
            return DecisionCommand(None, decision, reply)
        child_id = self.children_on_contact[self.child_index][0]
        decisions = {**self.decided, child_id: decision}
        # Children not decided yet are left out: the service names what is missing.
        return DecisionCommand(tuple(replace(d, child_id=cid) for cid, d in decisions.items()),
                               None, reply)

    def confirm_question(self, command: DecisionCommand) -> str:
        decisions = command.decisions or (command.same_for_all,)
        outcomes = ", ".join(sorted({d.outcome.label for d in decisions if d is not None}))
        whom = (f"{len(decisions)} of {len(self.children_on_contact)} children"
                if command.decisions else self._for_whom())
        return f"Record {outcomes} for {whom} on {self.reference}?"
