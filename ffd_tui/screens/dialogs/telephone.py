"""A call typed in by the officer: the minimum a contact needs; the rest follows on screen."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Select, TextArea

from ffd_core.clock import UK, as_utc
from ffd_core.domain.vocab import Consent
from ffd_core.errors import InvalidInput
from ffd_core.services import contacts
from ffd_core.services.contacts import TelephoneCall
from ffd_tui.screens.dialogs.fields import CONSENT, FormDialog, column, date_of_birth


class TelephoneDialog(FormDialog[TelephoneCall]):
    first_field = "#given"
    submit_words = "record (then [b]y[/])"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            with Horizontal(classes="fields"):
                yield from column("Child's given name", Input(id="given"))
                yield from column("Family name", Input(id="family"))
                yield from column("Date of birth (dd/mm/yyyy)", Input(id="dob"))
            with Horizontal(classes="fields"):
                yield from column("Caller's name", Input(id="caller"))
                yield from column("Caller's agency", Input(id="agency"))
                yield from column("Caller's phone", Input(id="phone"))
                yield from column("Came in at (HH:MM)", Input(id="received", placeholder="now"))
            with Horizontal(classes="fields"):
                yield from column("Category", Select(self.categories, id="category",
                                                      prompt="(choose)"))
                yield from column("Consent", Select(CONSENT, id="consent", value="given",
                                                     allow_blank=False))
                yield from column("Why (if not given)", Input(id="consent_reason"))
            yield Label("What the caller said")
            yield TextArea(id="said", soft_wrap=True)

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def read_fields(self) -> TelephoneCall:
        dob = self.typed(date_of_birth, self._text("dob"))
        category = self.query_one("#category", Select).value
        return TelephoneCall(
            category=category if isinstance(category, str) else "",
            given_name=self._text("given"), family_name=self._text("family"), date_of_birth=dob,
            caller=self._text("caller"), caller_agency=self._text("agency"),
            caller_phone=self._text("phone"),
            consent=Consent(self.query_one("#consent", Select).value),
            consent_reason=self._text("consent_reason"),
            what_was_said=self.query_one("#said", TextArea).text.strip(),
            received_at=self.typed(partial(_earlier_today, now=self.app.ctx.now()),
                                   self._text("received")),
        )

    def check(self, command: TelephoneCall) -> list[str]:
        return contacts.call_problems(self.app.ctx, command)

    def confirm_question(self, command: TelephoneCall) -> str:
        child = f"{command.given_name} {command.family_name}".strip() or "a child"
        return f"Record the telephone contact about {child}?"


def _earlier_today(raw: str, now: datetime) -> datetime | None:
    """HH:MM today (UK time), for a call typed in after it came in; blank is now."""
    if not raw:
        return None
    try:
        at = datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise InvalidInput("write when the call came in as HH:MM, e.g. 09:40, "
                           "or leave it blank") from None
    return as_utc(datetime.combine(now.astimezone(UK).date(), at, UK))
