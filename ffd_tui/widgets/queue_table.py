"""The holding area's virtual table: renders only the visible lines of a window of rows queried
from the store (offset/limit). With 100k contacts in the store it keeps a few hundred rows in
memory and paints only what fits on the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from math import ceil
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

from ffd_core.domain.clocks import ClockPolicy
from ffd_core.domain.lifecycle import Lifecycle
from ffd_core.services.queue import QueuePage, QueueRow
from ffd_tui.format import format_uk_datetime, label, time_left
from ffd_tui.widgets.queue_columns import COLUMNS, TOTAL_WIDTH, Query, QueueHeader, fit

ROW_CACHE_SIZE = 1024  # a few screens of rows, each in and out of the cursor


def _thumb(bar: ScrollBar, position: float) -> list[Segment]:
    """What a vertical scroll bar shows at ``position`` (Textual's own drawing of it)."""
    window = bar.window_size if bar.window_size < bar.window_virtual_size else 0
    return list(ScrollBarRender.render_bar(
        size=bar.size.height, virtual_size=ceil(bar.window_virtual_size), window_size=ceil(window),
        position=bar.validate_position(position)).segments)


class QueueTable(ScrollView, can_focus=True):
    """A window of the holding area. The screen supplies ``fetch(query, offset, limit)``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue--cursor", "queue--selected", "queue--breached", "queue--due-soon", "queue--p1",
        "queue--placeholder", "queue--closed",
    }
    DEFAULT_CSS = """
    QueueTable { height: 1fr; scrollbar-size-vertical: 1; }
    QueueTable > .queue--cursor { background: $accent 40%; text-style: bold; }
    QueueTable:focus > .queue--cursor { background: $accent; color: $text; }
    QueueTable > .queue--selected { color: $warning; text-style: bold; }
    QueueTable > .queue--breached { color: $error; text-style: bold; }
    QueueTable > .queue--due-soon { color: $warning; }
    QueueTable > .queue--p1 { color: $error; text-style: bold reverse; }
    QueueTable > .queue--placeholder { color: $text-muted; }
    QueueTable > .queue--closed { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor(1)", "Down", show=False, id="queue.down"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="queue.up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="queue.page_down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="queue.page_up"),
        Binding("home,g", "first", "First", show=False, id="queue.first"),
        Binding("end,G", "last", "Last", show=False, id="queue.last"),
    ]

    cursor: reactive[int] = reactive(0, repaint=False, init=False)

    class Highlighted(Message):
        def __init__(self, row: QueueRow | None) -> None:
            super().__init__()
            self.row = row

    class Chosen(Message):
        def __init__(self, row: QueueRow) -> None:
            super().__init__()
            self.row = row

    class Loaded(Message):
        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    def __init__(self, fetch: Callable[[Query, int, int], QueuePage], now: Callable[[], datetime],
                 clock_policy: ClockPolicy, lifecycle: Lifecycle, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fetch = fetch
        self.now = now
        # ffd_core's: time left, "due soon" and which statuses are still open are its answers.
        self.clock_policy, self.lifecycle = clock_policy, lifecycle
        self.query_spec = Query()
        self.total = 0
        self.rows: dict[int, QueueRow] = {}  # index in the ordered list -> row
        self.selected: dict[int, QueueRow] = {}  # contact id -> row (multi-select)
        self.generation = 0
        self.loaded_generation = -1
        self._reset_in_flight = False
        self._reset_pending = False
        self._window_in_flight = False
        self._again = False
        self.header: QueueHeader | None = None
        self._styles: dict[tuple[str, ...], Style] = {}
        # Painted rows, so scrolling one line re-paints one new row, not the whole screen.
        self._strips: LRUCache[tuple, Strip] = LRUCache(ROW_CACHE_SIZE)

    # ------------------------------------------------------------------ the data
    @property
    def current(self) -> QueueRow | None:
        return self.rows.get(self.cursor)

    def set_query(self, **changes) -> None:
        """The officer changed the view, filter or sort: ask the store for the first window."""
        for key, value in changes.items():
            setattr(self.query_spec, key, value)
        self.generation += 1
        self._load(reset=True)

    def sort_by(self, sort: str) -> None:
        if self.query_spec.sort == sort:
            self.set_query(descending=not self.query_spec.descending)
        else:
            self.set_query(sort=sort, descending=False)

    def refresh_window(self) -> None:
        """A live change: re-read the visible window only; the cursor stays on its contact."""
        self._load(reset=False)

    def _window(self) -> tuple[int, int]:
        height = max(self.scrollable_content_region.height, 10)
        start = max(0, int(self.scroll_y) - height)
        return start, height * 3

    def _load(self, reset: bool) -> None:
        """One store query at a time per kind: typing faster than the store answers asks
        again for the latest filter only, instead of queueing a query per keystroke."""
        if reset and self._reset_in_flight:
            self._reset_pending = True
            return
        if not reset and (self._window_in_flight or self._reset_in_flight):
            self._again = True
            return
        query = Query(**vars(self.query_spec))
        generation = self.generation
        start, limit = (0, self._window()[1]) if reset else self._window()
        if reset:
            self._reset_in_flight = True
        else:
            self._window_in_flight = True

        def work() -> tuple[QueuePage, int, int, bool]:
            return self.fetch(query, start, limit), start, generation, reset

        def failed(error: Exception) -> None:
            self._finished(reset)
            self.app.show_error(error)

        self.app.run_store(self, work, done=self._loaded, failed=failed,
                           group="queue" if reset else "queue-window")

    @property
    def _in_flight(self) -> bool:
        return self._reset_in_flight or self._window_in_flight

    def _finished(self, reset: bool) -> None:
        if reset:
            self._reset_in_flight = False
            if self._reset_pending:
                self._reset_pending = False
                self._load(reset=True)
        else:
            self._window_in_flight = False
        if self._again and not self._in_flight:
            self._again = False
            self._load(reset=False)

    def _loaded(self, result: tuple[QueuePage, int, int, bool]) -> None:
        page, start, generation, reset = result
        try:
            if generation == self.generation:
                self._apply(page, start, generation, reset)
        finally:
            self._finished(reset)

    def _apply(self, page: QueuePage, start: int, generation: int, reset: bool) -> None:
        keep_id = None if reset else (self.current.id if self.current else None)
        old_cursor = self.cursor
        self.rows = {start + i: row for i, row in enumerate(page.rows)}
        for row in page.rows:  # a selection acts on its rows as now shown (their versions)
            if row.id in self.selected:
                self.selected[row.id] = row
        self.total = page.total
        self.loaded_generation = generation
        self.virtual_size = Size(TOTAL_WIDTH, self.total)
        if reset:
            self._again = False  # this answer is the freshest window there is
            self.scroll_to(y=0, animate=False, immediate=True)
            self._set_cursor(0)
        else:
            new_index = next((i for i, r in self.rows.items() if r.id == keep_id), None)
            if new_index is not None and new_index != old_cursor:
                # Rows came or went above: move the window, not the officer's place.
                self.scroll_to(y=self.scroll_y + new_index - old_cursor, animate=False,
                               immediate=True)
                self.set_reactive(QueueTable.cursor, new_index)
            else:
                self.set_reactive(QueueTable.cursor, min(old_cursor, max(self.total - 1, 0)))
            self.post_message(self.Highlighted(self.current))
        self.refresh()
        if self.header:
            self.header.refresh()
        self.post_message(self.Loaded(self.total))

    # ------------------------------------------------------------------ moving
    def _set_cursor(self, index: int) -> None:
        index = max(0, min(index, self.total - 1)) if self.total else 0
        old = self.cursor
        self.set_reactive(QueueTable.cursor, index)
        self._refresh_row(old)
        self._refresh_row(index)
        self.scroll_to_show(index)
        self.post_message(self.Highlighted(self.current))

    def scroll_to_show(self, index: int) -> None:
        height = self.scrollable_content_region.height
        top = int(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        """Repaint one row (ScrollView.refresh_line takes the row's virtual y)."""
        if 0 <= index - int(self.scroll_y) < self.size.height:
            self.refresh_line(index)

    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.total - 1)

    def toggle_selected(self) -> None:
        row = self.current
        if row is None:
            return
        if row.id in self.selected:
            del self.selected[row.id]
        else:
            self.selected[row.id] = row
        self._refresh_row(self.cursor)

    def on_click(self, event: events.Click) -> None:
        self.focus()
        index = int(self.scroll_y) + event.y
        if index < self.total:
            self._set_cursor(index)
            if event.chain == 2 and self.current:
                self.post_message(self.Chosen(self.current))

    def watch_scroll_x(self, old: float, new: float) -> None:
        super().watch_scroll_x(old, new)
        if self.header:
            self.header.refresh()

    # ------------------------------------------------------------------ painting
    def watch_scroll_y(self, old: float, new: float) -> None:
        # The scroll bar repaints its whole height whenever its position is set, though its
        # thumb moves a visible step only every few rows of a long queue: set the position
        # quietly unless the bar would look different.
        bar = self.vertical_scrollbar if self.show_vertical_scrollbar else None
        if bar is not None and _thumb(bar, new) == _thumb(bar, bar.position):
            bar.set_reactive(ScrollBar.position, new)
            if round(old) != round(new):
                self.refresh(self.size.region)
            return
        super().watch_scroll_y(old, new)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Paint the visible rows. The table has no border, padding, tint or opacity for
        Textual to add, so a painted row (with the app's colour filters applied once and kept
        on it) is reused whole from frame to frame: scrolling one line paints one new row."""
        width, now = self.scrollable_content_region.width, self.now()
        _, background = self.background_colors
        filters = self.get_line_filters()
        strips = []
        for y in crop.line_range:
            strip = self._line(y, width, now)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self.size.width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        return self._line(y, self.scrollable_content_region.width, self.now())

    def _line(self, y: int, width: int, now: datetime) -> Strip:
        index = int(self.scroll_y) + y
        if index >= self.total:
            return self._cached(("blank", width), lambda: Strip.blank(width, self._style()))
        row = self.rows.get(index)
        if row is None:
            self._need_rows()
            return self._cached(("placeholder", width), lambda: Strip(
                [Segment(fit("  …", width), self._style("queue--placeholder"))], width))
        left = time_left(row.due_at, row.status, now, self.clock_policy, self.lifecycle)
        scroll_x = int(self.scroll_x)
        is_cursor, selected = index == self.cursor, row.id in self.selected

        def paint() -> Strip:
            segments = self._row_segments(row, is_cursor, selected, left)
            strip = Strip(segments, TOTAL_WIDTH).crop(scroll_x, scroll_x + width)
            return strip.extend_cell_length(width, self._style())

        return self._cached((row, is_cursor, selected, left, scroll_x, width), paint)

    def _cached(self, key: tuple, paint: Callable[[], Strip]) -> Strip:
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = paint()
        return strip

    def _need_rows(self) -> None:
        if not self._in_flight:
            self.call_later(self._load, False)

    def _style(self, *names: str) -> Style:
        """The widget's style plus component classes, cached until the theme or CSS changes."""
        cache = self._styles
        style = cache.get(names)
        if style is None:
            style = self.rich_style
            for name in names:
                style = style + self.get_component_rich_style(name)
            cache[names] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}
        self._strips.clear()

    def _row_segments(self, row: QueueRow, is_cursor: bool, selected: bool,
                      left: tuple[str, str]) -> list[Segment]:
        closed = not self.lifecycle.is_open(row.status)
        state = (("queue--cursor",) if is_cursor else ()) + (
            ("queue--closed",) if closed else ())
        base = self._style(*state)
        left, left_class = left
        mark = "●" if selected else " "
        values = {
            "mark": mark,
            "reference": row.reference,
            "received": format_uk_datetime(row.received_at),
            "left": left,
            "priority": f"P{row.priority}",
            "category": label(row.category),
            "child": row.child,
            "agency": row.agency,
            "channel": label(row.channel),
            "status": label(row.status),
            "owner": row.owner,
            "other": "≡" if row.other_contacts else "",
        }
        segments = []
        for column in COLUMNS:
            style: Style = base
            if column.key == "left" and left_class in ("breached", "due-soon"):
                style = self._style(*state, f"queue--{left_class}")
            elif column.key == "priority" and row.priority == 1 and not closed:
                style = self._style(*state, "queue--p1")
            elif column.key == "mark" and mark != " ":
                style = self._style(*state, "queue--selected")
            segments.append(Segment(fit(values[column.key], column.width), style))
            segments.append(Segment(" ", base))
        return segments
