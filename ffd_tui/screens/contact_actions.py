"""Every change an officer makes from the contact screen: each opens its dialog (or asks to
confirm), then runs one service in a ``@write`` worker (screens/writes.py) that answers with
a typed message; the screen then reloads, or serves the next contact."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from ffd_core.domain.vocab import Outcome, Status
from ffd_core.errors import NothingToTake
from ffd_core.services import decisions as deciding
from ffd_core.services import completion as completion_service
from ffd_core.services import contacts, directory, notes, ownership, screening
from ffd_core.services.completion import Completion
from ffd_tui.format import priority_label
from ffd_tui.screens.dialogs import (
    AllocateDialog,
    Allocation,
    CompleteDialog,
    ConfirmDialog,
    DecideDialog,
    DecisionCommand,
    InformationRequest,
    LinkDialog,
    LinkTo,
    NoteDialog,
    NoteText,
    Reason,
    ReasonDialog,
    ReplyDialog,
    ReplyIn,
    RequestInformationDialog,
)
from ffd_tui.screens.writes import Writer, opens, write

if TYPE_CHECKING:
    from ffd_core.services.contact_view import ContactView
    from ffd_tui.screens.contact import Loaded

# The edges taken as they are: (service, what it says when done).
AS_IS: dict[str, tuple[Callable[..., int], str]] = {
    "claim": (ownership.claim, "Claimed"),
    "release": (ownership.release, "Released"),
    "approve": (deciding.approve, "Approved"),
}
# The edges taken with one line of reason: (dialog title, service, what it says when done).
WITH_REASON: dict[str, tuple[str, Callable[..., int], str]] = {
    "take_over": ("Take over {}", ownership.take_over, "Taken over"),
    "return": ("Return {} for rework", deciding.return_for_rework, "Returned for rework"),
    "reopen": ("Reopen {}", screening.reopen, "Reopened"),
    "withdraw": ("Withdraw {}", screening.withdraw, "Withdrawn"),
    "close_in_error": ("Close {} in error", screening.close_in_error, "Closed in error"),
}


class ContactActions(Writer):
    """Mixed into ContactScreen, which gives ``contact_id``, ``loaded``, ``view``,
    ``own_versions`` and ``load()``."""

    contact_id: int
    loaded: Loaded | None
    own_versions: set[int]

    @property
    def view(self) -> ContactView | None:
        return self.loaded.view if self.loaded else None

    @dataclass
    class Changed(Message, bubble=False):
        """A change went through; ``advance``: serve the next contact rather than reload."""

        said: str
        advance: bool = False

    @dataclass
    class Decided(Message, bubble=False):
        status: Status

    @dataclass
    class Served(Message, bubble=False):
        """Act and advance: the next contact taken, or None when nothing is waiting."""

        contact_id: int | None
        said: str

    # ------------------------------------------------------------------ writing
    def _seen(self) -> int | None:
        """The version this screen last showed: a change made since is refused, not lost."""
        return self.view.version if self.view else None

    def _mine(self, version: int) -> None:
        """A version this screen made, so the live check does not call it someone else's."""
        self.own_versions.add(version)

    def write_refused(self, error: Exception) -> None:
        super().write_refused(error)
        self.load()  # show what the store has now

    def on_contact_actions_changed(self, message: ContactActions.Changed) -> None:
        self.app.notify(message.said)
        if message.advance:
            self.advance()
        else:
            self.load()

    def on_contact_actions_decided(self, message: ContactActions.Decided) -> None:
        waits = message.status is Status.AWAITING_SIGN_OFF
        self.app.notify("Decided" + (": waiting for a supervisor's sign-off" if waits else ""))
        self.advance()

    @write
    def advance(self) -> ContactActions.Served:
        """Act and advance: serve the next contact, or go back to the holding area."""
        try:
            contact_id, reference, _version = ownership.take_next(self.app.ctx, self.app.actor)
        except NothingToTake as nothing:
            return self.Served(None, str(nothing))
        return self.Served(contact_id, f"Next: {reference}")

    def on_contact_actions_served(self, message: ContactActions.Served) -> None:
        if message.contact_id is None:
            self.app.notify(message.said, severity="information")
            self.app.pop_screen()
        else:
            self.app.notify(message.said)
            from ffd_tui.screens.contact import ContactScreen

            self.app.switch_screen(ContactScreen(message.contact_id))

    def action_take_next(self) -> None:
        self.advance()

    # ------------------------------------------------------------------ ownership
    def _ref(self) -> str:
        return self.view.reference if self.view else "this contact"

    def _confirm(self, question: str, then: Callable[[], object]) -> None:
        self.app.push_screen(ConfirmDialog(question), lambda yes: then() if yes else None)

    @write
    def take(self, edge: str) -> ContactActions.Changed:
        service, said = AS_IS[edge]
        self._mine(service(self.app.ctx, self.app.actor, self.contact_id,
                           expected_version=self._seen()))
        return self.Changed(said)

    def action_claim(self) -> None:
        self.take("claim")

    def action_release(self) -> None:
        self._confirm(f"Release {self._ref()} back to the queue?", partial(self.take, "release"))

    def action_reallocate(self) -> None:
        self.open_allocate()

    @opens
    def open_allocate(self) -> None:
        staff = directory.allocatable_staff(self.app.ctx)
        self.app.call_from_thread(self.app.push_screen, AllocateDialog(
            f"Allocate {self._ref()}", self.allocate, staff, 1))

    @write
    def allocate(self, allocation: Allocation) -> ContactActions.Changed:
        self._mine(ownership.allocate(self.app.ctx, self.app.actor, self.contact_id,
                                      allocation.owner_id, allocation.reason,
                                      expected_version=self._seen()))
        return self.Changed("Allocated")

    # ------------------------------------------------------------------ one line of reason
    def action_priority(self, priority: int) -> None:
        suggestion = self.loaded.suggestion if self.loaded else None
        initial = "; ".join(suggestion[1]) if suggestion and suggestion[0] == priority else ""
        self.app.push_screen(ReasonDialog(
            f"Set priority {priority_label(priority)} on {self._ref()}",
            partial(self.set_priority, priority), initial=initial or "screened"))

    @write
    def set_priority(self, priority: int, reason: Reason) -> ContactActions.Changed:
        self._mine(screening.set_priority(self.app.ctx, self.app.actor, self.contact_id,
                                          priority, reason.text, expected_version=self._seen()))
        return self.Changed(f"Priority set to {priority}")

    def _ask_reason(self, edge: str) -> None:
        title = WITH_REASON[edge][0].format(self._ref())
        self.app.push_screen(ReasonDialog(title, partial(self.with_reason, edge)))

    @write
    def with_reason(self, edge: str, reason: Reason) -> ContactActions.Changed:
        _title, service, said = WITH_REASON[edge]
        self._mine(service(self.app.ctx, self.app.actor, self.contact_id, reason.text,
                           expected_version=self._seen()))
        return self.Changed(said)

    def action_take_over(self) -> None:
        self._ask_reason("take_over")

    def action_return(self) -> None:
        self._ask_reason("return")

    def action_reopen(self) -> None:
        self._ask_reason("reopen")

    def action_withdraw(self) -> None:
        self._ask_reason("withdraw")

    def action_close_in_error(self) -> None:
        self._ask_reason("close_in_error")

    # ------------------------------------------------------------------ notes, links, replies
    def action_complete(self) -> None:
        self.app.push_screen(CompleteDialog(f"Complete {self._ref()} from the email",
                                            self.complete, contacts.categories(self.app.ctx)))

    @write
    def complete(self, completion: Completion) -> ContactActions.Changed:
        self._mine(completion_service.complete(self.app.ctx, self.app.actor, self.contact_id,
                                               completion, expected_version=self._seen()))
        return self.Changed("Completed")

    def action_note(self) -> None:
        self.app.push_screen(NoteDialog(f"Note on {self._ref()}", self.add_note))

    @write
    def add_note(self, note: NoteText) -> ContactActions.Changed:
        notes.add_note(self.app.ctx, self.app.actor, self.contact_id, note.body)
        return self.Changed("Note added")

    def action_link(self) -> None:
        self.app.push_screen(LinkDialog(f"Link {self._ref()} to another contact", self.link))

    @write
    def link(self, link: LinkTo) -> ContactActions.Changed:
        reference = notes.link_by_reference(self.app.ctx, self.app.actor, self.contact_id,
                                            link.reference, link.reason)
        return self.Changed(f"Linked to {reference}")

    def action_record_reply(self) -> None:
        self.app.push_screen(ReplyDialog(f"Record the referrer's reply on {self._ref()}",
                                         self.record_reply, prompt="What they said"))

    @write
    def record_reply(self, reply: ReplyIn) -> ContactActions.Changed:
        self._mine(screening.record_reply(self.app.ctx, self.app.actor, self.contact_id,
                                          reply.body, reply.sender))
        return self.Changed("Reply recorded")

    def action_request_information(self) -> None:
        loaded = self.loaded
        if loaded is None or loaded.chase_by is None:
            return
        self.app.push_screen(RequestInformationDialog(
            f"Ask for more information — {loaded.view.reference}", self.request_information,
            recipient=loaded.view.referrer.get("email") or "", templates=loaded.requests,
            chase_by=loaded.chase_by))

    @write
    def request_information(self, request: InformationRequest) -> ContactActions.Changed:
        self._mine(screening.request_information(
            self.app.ctx, self.app.actor, self.contact_id, recipient=request.recipient,
            message=request.message, chase_by=request.chase_by, expected_version=self._seen()))
        return self.Changed("Request for information sent", advance=True)

    # ------------------------------------------------------------------ decisions
    def action_decide(self) -> None:
        self._decide(None)

    def action_reject(self) -> None:
        self._decide(Outcome.NO_FURTHER_ACTION)

    def _decide(self, outcome: Outcome | None) -> None:
        loaded = self.loaded
        if loaded is None:
            return
        view = loaded.view
        self.app.push_screen(DecideDialog(
            f"Decide {view.reference}", self.decide, kind=view.kind,
            children=[(c.id, c.name) for c in view.children], reference=view.reference,
            replies=loaded.replies, can_reply=loaded.can_reply, outcome=outcome))

    @write
    def decide(self, command: DecisionCommand) -> ContactActions.Decided:
        return self.Decided(deciding.decide(
            self.app.ctx, self.app.actor, self.contact_id, command.decisions,
            same_for_all=command.same_for_all, expected_version=self._seen(),
            reply=command.reply))

    def action_approve(self) -> None:
        self._confirm(f"Approve the proposed decision on {self._ref()}?",
                      partial(self.take, "approve"))
