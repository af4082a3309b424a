"""Completing an emailed contact (``K`` on a contact to complete): the officer types the
child, category and consent from the email; services.completion checks them as it checks
any new contact, and the dialog stays open with the problem's message."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select

from ffd_core.domain.contact import PersonEntry
from ffd_core.domain.vocab import Consent
from ffd_core.services import completion
from ffd_core.services.completion import Completion
from ffd_tui.screens.dialogs.fields import CONSENT, FormDialog, column, date_of_birth


class CompleteDialog(FormDialog[Completion]):
    first_field = "#given"
    submit_words = "complete (then [b]y[/])"
    problems_heading = "the contact cannot be completed: "

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="fields"):
            yield from column("Child's given name", Input(id="given"))
            yield from column("Family name", Input(id="family"))
            yield from column("Date of birth (dd/mm/yyyy)", Input(id="dob"))
            yield from column("Postcode", Input(id="postcode"))
        with Horizontal(classes="fields"):
            yield from column("Referrer's role", Input(id="role"))
            yield from column("Referrer's phone", Input(id="phone"))
            yield from column("Why (if consent not given)", Input(id="consent_reason"))
        with Horizontal(classes="fields"):
            yield from column("Category", Select(self.categories, id="category",
                                                  prompt="(choose)"))
            yield from column("Consent", Select(CONSENT, id="consent", prompt="(choose)"))

    def _text(self, ident: str) -> str:
        return self.query_one(f"#{ident}", Input).value.strip()

    def read_fields(self) -> Completion:
        category, consent = (self.query_one(f"#{i}", Select).value for i in ("category", "consent"))
        child = PersonEntry(given_name=self._text("given"), family_name=self._text("family"),
                            date_of_birth=self.typed(date_of_birth, self._text("dob")),
                            postcode=self._text("postcode") or None)
        return Completion(
            category=category if isinstance(category, str) else "", children=(child,),
            consent=Consent(consent) if isinstance(consent, str) else None,
            consent_reason=self._text("consent_reason") or None,
            referrer_role=self._text("role") or None, referrer_phone=self._text("phone") or None)

    def check(self, command: Completion) -> list[str]:
        return completion.completion_problems(self.app.ctx, command)

    def confirm_question(self, command: Completion) -> str:
        return f"Complete the contact about {command.children[0].display_name}?"
