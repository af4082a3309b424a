"""The counters strip: always on screen, updated live from the store's counters service."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from ffd_core.services.queue import Counters

LABELS = (
    ("new_today", "New today", ""),
    ("unallocated", "Unallocated", ""),
    ("in_screening", "Screening", ""),
    ("awaiting_information", "Awaiting info", ""),
    ("awaiting_sign_off", "Sign-off", ""),
    ("decided_today", "Decided today", ""),
    ("due_soon", "Due soon", "due-soon"),
    ("breached", "Breached", "breached"),
)


class CountersStrip(Widget):
    DEFAULT_CSS = """
    CountersStrip { height: 1; background: $panel; color: $text; padding: 0 1; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"counters--due-soon", "counters--breached", "counters--who"}

    def __init__(self, who: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.who = who
        self.counters: Counters | None = None

    def on_mount(self) -> None:
        latest = getattr(self.app, "latest_counters", None)
        if latest is not None:
            self.counters = latest

    def show(self, counters: Counters) -> None:
        self.counters = counters
        self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.counters is None:
            text.append("counting…", style="dim")
        else:
            for field, title, danger in LABELS:
                value = getattr(self.counters, field)
                style = "bold"
                if danger == "breached" and value:
                    style = "bold red"
                elif danger == "due-soon" and value:
                    style = "bold yellow"
                text.append(f"{title} ")
                text.append(str(value), style=style)
                text.append("  ")
        if self.who:
            text.append("│ " + self.who, style="italic")
        return text


class Line(Widget):
    """One line of text that repaints without asking for a new layout (a Static would)."""

    DEFAULT_CSS = "Line { height: 1; }"

    def __init__(self, markup: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.markup = markup

    def show(self, markup: str) -> None:
        if markup != self.markup:
            self.markup = markup
            self.refresh()

    def render(self) -> Text:
        text = Text.from_markup(self.markup, overflow="ellipsis")
        text.no_wrap = True
        return text
