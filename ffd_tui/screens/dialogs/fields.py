"""Small pieces the form-like dialogs share: a labelled column, a typed date of birth."""

from __future__ import annotations

from datetime import date, datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from ffd_core.domain.vocab import Consent
from ffd_core.errors import InvalidInput

CONSENT = [("given", Consent.GIVEN.value), ("refused", Consent.REFUSED.value),
           ("not sought: risk to the child", Consent.NOT_SOUGHT_RISK.value)]


def column(label: str, widget: Input | Select) -> ComposeResult:
    with Vertical(classes="column"):
        yield Label(label)
        yield widget


def date_of_birth(raw: str) -> date | None:
    """dd/mm/yyyy as typed (blank: not known)."""
    try:
        return datetime.strptime(raw, "%d/%m/%Y").date() if raw else None
    except ValueError:
        raise InvalidInput("write the date of birth as dd/mm/yyyy") from None
