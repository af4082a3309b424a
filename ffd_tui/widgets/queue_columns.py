"""The holding area's columns and the header above them (click a title to sort by it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widget import Widget

from ffd_core.services.queue import View

if TYPE_CHECKING:
    from ffd_tui.widgets.queue_table import QueueTable


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    sort: str | None  # the store's sort key, or None when the column cannot be sorted


COLUMNS = (
    Column("mark", "", 2, None),
    Column("reference", "Reference", 15, "reference"),
    Column("received", "Received", 16, "received"),
    Column("left", "Left", 9, "due"),  # "Time left" and a sort arrow would not fit
    Column("priority", "P", 3, "priority"),
    Column("category", "Category", 18, "category"),
    Column("child", "Child", 18, "child"),
    Column("agency", "Referrer's agency", 19, None),
    Column("channel", "Channel", 12, "channel"),
    Column("status", "Status", 17, "status"),
    Column("owner", "Owner", 16, None),
    Column("other", "≡", 2, None),
)
SORTABLE = [c for c in COLUMNS if c.sort]
TOTAL_WIDTH = sum(c.width + 1 for c in COLUMNS)


def fit(text: str, width: int) -> str:
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.ljust(width)


@dataclass
class Query:
    view: View = View.OPEN
    text: str = ""
    sort: str = "priority"
    descending: bool = False


class QueueHeader(Widget):
    """Column titles; the sorted column carries ▲/▼. Click a title to sort by it."""

    DEFAULT_CSS = "QueueHeader { height: 1; }"

    def __init__(self, table: QueueTable, **kwargs) -> None:
        super().__init__(**kwargs)
        self.table = table

    def render(self) -> Text:
        query = self.table.query_spec
        text = Text(no_wrap=True, overflow="crop")
        for column in COLUMNS:
            title = column.title
            if column.sort and column.sort == query.sort:
                title += " ▼" if query.descending else " ▲"
            text.append(fit(title, column.width) + " ", style="bold")
        offset = int(self.table.scroll_x)
        return text[offset:] if offset else text

    def on_click(self, event: events.Click) -> None:
        x = event.x + int(self.table.scroll_x)
        for column in COLUMNS:
            if x < column.width + 1:
                if column.sort:
                    self.table.sort_by(column.sort)
                return
            x -= column.width + 1
