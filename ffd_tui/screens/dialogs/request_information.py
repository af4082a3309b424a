"""Ask the referrer for more: pick a template (it fills the message), edit, send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker

from ffd_core.clock import UK, as_utc
from ffd_core.errors import InvalidInput
from ffd_core.services.replies import ReplyChoice
from ffd_tui.plain import plain
from ffd_tui.screens.dialogs.base import ActionDialog

CHASE_FORMAT = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class InformationRequest:
    recipient: str
    message: str
    chase_by: datetime | None


class RequestInformationDialog(ActionDialog[InformationRequest]):
    first_field = "#templates"
    submit_words = "send (then confirm)"

    def __init__(self, title: str, perform: Callable[[InformationRequest], Worker], *,
                 recipient: str, templates: list[ReplyChoice], chase_by: datetime) -> None:
        super().__init__(title, perform)
        self.recipient, self.chase_by = recipient, chase_by
        self.templates = templates or [ReplyChoice("plain", "Request for information", None, "")]

    def keys_hint(self) -> str:
        return super().keys_hint() + "    [b]tab[/] next field"

    def compose_body(self) -> ComposeResult:
        yield Label("Template")
        yield OptionList(*[Option(plain(f"{n}. {t.name}"), id=t.template_id)
                           for n, t in enumerate(self.templates, 1)], id="templates")
        with Horizontal(classes="fields"):
            with Vertical(classes="column"):
                yield Label("To")
                yield Input(self.recipient, id="recipient")
            with Vertical(classes="column"):
                yield Label("Chase by (dd/mm/yyyy hh:mm)")
                yield Input(as_utc(self.chase_by).astimezone(UK).strftime(CHASE_FORMAT),
                            id="chase_by")
        yield Label("Message")
        yield TextArea(self.templates[0].text, id="message", soft_wrap=True)

    @on(OptionList.OptionSelected, "#templates")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        area = self.query_one("#message", TextArea)
        area.text = self.templates[event.option_index].text
        area.focus()

    def command(self) -> InformationRequest:
        raw = self.query_one("#chase_by", Input).value.strip()
        try:
            chase_by = datetime.strptime(raw, CHASE_FORMAT).replace(tzinfo=UK) if raw else None
        except ValueError:
            raise InvalidInput("write the chase-by time as dd/mm/yyyy hh:mm, "
                               "e.g. 27/11/2026 12:00") from None
        return InformationRequest(self.query_one("#recipient", Input).value.strip(),
                                  self.query_one("#message", TextArea).text.strip(), chase_by)

    def confirm_question(self, command: InformationRequest) -> str:
        return f"Send the request for information to {command.recipient}?"
