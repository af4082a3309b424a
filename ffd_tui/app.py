"""The Family Front Door console: a Textual app over ffd_core's services.

Every store call runs in a thread worker (``run_store``); a poller watches the change feed's
high-water mark and refreshes counters and the visible window when it moves.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.keys import key_to_character
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from ffd_core.domain.access import Action, ContactFacts
from ffd_core.errors import AccountDisabled, FFDError
from ffd_core.services import queue, sessions
from ffd_core.services.context import Actor, Context
from ffd_tui import presenters
from ffd_tui.tokens import TokenStore

LIVE_GROUP = "live"
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "space": "space", "tab": "tab"}


class _PollingWatcher:
    """The same contract as ffd_core's ChangeWatcher, by polling (used if it cannot start,
    e.g. no LISTEN connection can be opened)."""

    def __init__(self, ctx: Context, interval: float) -> None:
        self.ctx, self.interval = ctx, interval
        self.seen = queue.last_change(ctx)

    def wait(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while True:
            current = queue.last_change(self.ctx)
            if current != self.seen:
                self.seen = current
                return current
            if time.monotonic() >= deadline:
                return None
            time.sleep(min(self.interval, max(deadline - time.monotonic(), 0)))

    def close(self) -> None:
        pass


def _watcher(ctx: Context, interval: float):
    try:
        from ffd_core.services.watch import ChangeWatcher

        return ChangeWatcher(ctx)
    except Exception:  # noqa: BLE001 - fall back to polling the change feed
        return _PollingWatcher(ctx, interval)


def _freeze_long_lived() -> None:
    """Move what start-up built (widgets, configuration, ORM mappers) out of the garbage
    collector's sight: a full collection then scans only new objects, so it no longer
    stalls a keystroke for tens of milliseconds."""
    gc.collect()
    gc.freeze()


class FrontDoorApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Family Front Door"
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True,
                id="app.commands"),
        # ":" too, but not as a priority key, so it can still be typed into a reason.
        Binding("colon", "command_palette", "Commands", show=False, id="app.commands_colon"),
        Binding("ctrl+l", "lock", "Lock", show=False, id="app.lock"),
        Binding("ctrl+o", "sign_out", "Sign out", show=False, id="app.sign_out"),
    ]

    def __init__(self, ctx: Context, actor: Actor | None = None, *,
                 keymap: Mapping[str, str] | None = None, tokens: TokenStore | None = None,
                 poll_interval: float = 0.25, recount_seconds: float = 30.0,
                 lock_check_seconds: float = 1.0) -> None:
        super().__init__()
        self.ctx = ctx
        self.actor: Actor | None = None
        self.initial_actor = actor
        self.username = ""
        self.tokens = tokens if tokens is not None else TokenStore()
        self.poll_interval = poll_interval
        self.recount_seconds = recount_seconds
        self.lock_check_seconds = lock_check_seconds
        self.latest_counters: queue.Counters | None = None
        self.last_seq: int | None = None
        self.locked = False
        self.last_activity = ctx.now()
        self._stop = threading.Event()
        self.keymap: dict[str, str] = {}
        if keymap:
            from ffd_tui.keymap import check_keymap

            self.keymap = check_keymap(keymap)
            self.set_keymap(self.keymap)

    # ------------------------------------------------------------------ who is here
    @property
    def who(self) -> str:
        if self.actor is None:
            return ""
        return f"{self.actor.name} ({self.actor.role.label})"

    def may(self, action: Action | str, contact: ContactFacts | None = None) -> bool:
        """Whether the signed-in person may do this (a lifecycle edge or another action),
        optionally on one contact: keys they cannot use are hidden. The access policy in
        ffd_core decides; the console only asks."""
        if self.actor is None:
            return False
        return self.ctx.policy.allows(self.actor, action, contact)

    def edges_here(self, status: str, contact: ContactFacts) -> frozenset[str]:
        """The lifecycle edges this person may take on this contact as it stands: those the
        lifecycle file lets leave its status for their role, that the policy allows."""
        if self.actor is None:
            return frozenset()
        return frozenset(edge.name for edge in self.ctx.lifecycle.edges_from(status, self.actor.role)
                         if self.ctx.policy.allows(self.actor, edge.name, contact))

    def shown_key(self, binding_id: str) -> str:
        """The (first) key that does ``binding_id`` now, as a dialog's hint writes it."""
        from ffd_tui.keymap import binding_ids

        keys = self.keymap.get(binding_id) or binding_ids().get(binding_id, "")
        first = keys.split(",")[0].strip()
        return KEY_NAMES.get(first) or key_to_character(first) or first

    # ------------------------------------------------------------------ start
    def on_mount(self) -> None:
        if self.initial_actor is not None:
            self.start_session(self.initial_actor)
            return
        token = self.tokens.get()
        if not token:
            self._show_sign_in()
            return
        ctx = self.ctx

        def failed(error: Exception) -> None:
            self.tokens.delete()
            self._show_sign_in(str(error))

        self.run_store(self, lambda: sessions.sign_in_with_token(ctx, token),
                       done=self.start_session, failed=failed, group="signin")

    def _show_sign_in(self, message: str = "") -> None:
        from ffd_tui.screens.signin import SignInScreen

        self.push_screen(SignInScreen(message))

    def signed_in(self, actor: Actor, *, remember: bool, username: str) -> None:
        self.username = username
        if remember:
            ctx = self.ctx

            def keep(token: str) -> None:
                if not self.tokens.set(token):
                    self.notify("No usable keyring here: you will be asked to sign in next time",
                                severity="warning")

            self.run_store(self, lambda: sessions.remember(ctx, actor), done=keep)
        self.start_session(actor)

    def start_session(self, actor: Actor) -> None:
        from ffd_tui.screens.holding import HoldingScreen

        if not self.ctx.policy.allows(actor, Action.SEE_QUEUE):
            # Partners use the web endpoint; administrators the command line.
            self.tokens.delete()
            while len(self.screen_stack) > 1:
                self.pop_screen()
            self._show_sign_in(f"the console is for the front door's staff; a "
                               f"{actor.role.label} uses the web endpoint or the ffd command")
            return
        self.actor = actor
        self.sub_title = self.who
        self.last_activity = self.ctx.now()
        self.username = self.username or actor.username
        # The holding area is the root: everything else stacks on it, Esc comes back to it.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(HoldingScreen())
        self._stop.clear()
        self._live()
        # Read the forms, guidance and templates once, off the UI thread, before they are needed.
        ctx = self.ctx
        self.run_store(self, lambda: presenters.warm_up(ctx), group="warm",
                       done=lambda _r: self.set_timer(1.0, _freeze_long_lived))
        self.set_interval(self.lock_check_seconds, self._check_idle, name="idle-lock")

    # ------------------------------------------------------------------ workers
    def run_store(self, owner: Any, call: Callable[[], Any], *,
                  done: Callable[[Any], Any] | None = None,
                  failed: Callable[[Exception], Any] | None = None,
                  group: str = "store", exclusive: bool = False) -> Worker:
        """Run a store call in a thread; hand its result (or error) back on the UI thread.
        A superseded call (exclusive group) drops its result."""

        def job() -> None:
            worker = get_current_worker()
            try:
                result = call()
            except Exception as error:  # noqa: BLE001 - every failure is shown, none kills the app
                if not worker.is_cancelled:
                    self._from_thread(failed or self.show_error, error)
                return
            if done is not None and not worker.is_cancelled:
                self._from_thread(done, result)

        node = owner if hasattr(owner, "run_worker") else self
        return node.run_worker(job, thread=True, exit_on_error=False, group=group,
                               exclusive=exclusive)

    def _from_thread(self, callback: Callable[[Any], Any], value: Any) -> None:
        def guarded(value: Any) -> None:
            try:
                callback(value)
            except Exception as error:  # noqa: BLE001 - a screen bug is shown, not swallowed
                self.log.error(f"{callback!r}: {error!r}")
                self.notify(f"Display error: {error!r}", severity="error", timeout=10)

        try:
            self.call_from_thread(guarded, value)
        except RuntimeError:
            pass  # the app is closing

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Toasts carry data (references, names, what the store said): shown as typed,
        never read as markup (see ffd_tui/plain.py)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def show_error(self, error: Exception) -> None:
        if isinstance(error, AccountDisabled):
            self.end_session(str(error))
            return
        if isinstance(error, FFDError):
            self.notify(str(error), severity="error", timeout=10)
        else:
            self.log.error(repr(error))
            self.notify(f"Something went wrong: {error}", severity="error", timeout=10)
        self.bell()

    # ------------------------------------------------------------------ live
    @work(thread=True, exit_on_error=False, group=LIVE_GROUP, exclusive=True)
    def _live(self) -> None:
        """Wait for the store to change (ffd_core's ChangeWatcher: LISTEN/NOTIFY on
        PostgreSQL, the change feed's high-water mark on SQLite); then recount, look for new
        priority-1 contacts and tell the screens, which refresh only what they show. A
        periodic recount keeps "due within 4 hours" and "breached" true as time passes."""
        worker = get_current_worker()
        ctx, actor = self.ctx, self.actor
        watcher = _watcher(ctx, self.poll_interval)
        seq = watcher.seen
        known_p1: dict[int, str] | None = None
        counted_at = float("-inf")
        try:
            while not worker.is_cancelled and not self._stop.is_set():
                try:
                    moved = None
                    if counted_at != float("-inf"):
                        moved = watcher.wait(min(self.poll_interval * 2, 0.5))
                    due = time.monotonic() - counted_at > self.recount_seconds
                    if moved is None and not due:
                        continue
                    changes = queue.changed_since(ctx, seq) if moved is not None else []
                    seq = moved if moved is not None else seq
                    counters = queue.counters(ctx, actor)
                    p1 = queue.immediate_open(ctx, actor)
                    fresh = [] if known_p1 is None else [ref for cid, ref in p1.items()
                                                         if cid not in known_p1]
                    known_p1, counted_at = p1, time.monotonic()
                    self._from_thread(self._store_changed, (seq, counters, changes, fresh,
                                                            False))
                except AccountDisabled as error:
                    self._from_thread(self.end_session, str(error))
                    return
                except Exception as error:  # noqa: BLE001 - a dropped connection must not end the app
                    self._from_thread(self.log.error, f"live updates: {error!r}")
                    self._stop.wait(1.0)
        finally:
            watcher.close()

    def _store_changed(self, payload: tuple[int, queue.Counters, list, list[str], bool]) -> None:
        seq, counters, changes, fresh_p1, _first = payload
        self.last_seq = seq
        self.latest_counters = counters
        from ffd_tui.widgets.counters import CountersStrip

        for screen in self.screen_stack:
            for strip in screen.query(CountersStrip):
                strip.show(counters)
            if changes and hasattr(screen, "store_changed"):
                screen.store_changed(changes)
        if fresh_p1:
            self.bell()
            # While locked the alert still sounds, but names nothing.
            what = "" if self.locked else f": {', '.join(fresh_p1)}"
            self.notify(f"Priority 1 contact arrived{what}", title="Immediate risk",
                        severity="error", timeout=30)

    # ------------------------------------------------------------------ idle lock
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):
            self.last_activity = self.ctx.now()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.locked or self.actor is None:
            return
        idle = (self.ctx.now() - self.last_activity).total_seconds()
        if idle >= self.ctx.settings.idle_lock_minutes * 60:
            self.action_lock(idle=True)

    def action_lock(self, idle: bool = False) -> None:
        from ffd_tui.screens.signin import LockScreen

        if self.locked or self.actor is None:
            return
        self.locked = True
        self.clear_notifications()  # toasts name contacts; none may show through the lock
        self.push_screen(LockScreen(idle=idle))
        ctx, actor = self.ctx, self.actor
        self.run_store(self, lambda: sessions.lock(ctx, actor, idle=idle), group="lock")

    def unlock(self) -> None:
        self.locked = False
        self.last_activity = self.ctx.now()
        self.pop_screen()

    def action_sign_out(self) -> None:
        token = self.tokens.get()
        ctx, actor = self.ctx, self.actor
        self.tokens.delete()
        said = "Signed out; this computer is forgotten." if token else "Signed out."
        if actor is None:
            self.exit(message=said)
            return
        self.run_store(self, lambda: sessions.sign_out(ctx, actor, token),
                       done=lambda _r: self.exit(message=said),
                       failed=lambda error: self.exit(message=f"Signed out ({error})."))

    def end_session(self, reason: str) -> None:
        """The account was disabled while signed in: nothing more is shown."""
        self.tokens.delete()
        self.exit(message=f"Signed out: {reason}.")

    # ------------------------------------------------------------------ help and commands
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.locked and action not in ("quit",):
            return False
        return not (self.actor is None
                    and action in ("help", "command_palette", "lock", "sign_out"))

    def action_help(self) -> None:
        """The keys of the screen or dialog on top (not of help itself or the palette)."""
        from textual.command import CommandPalette

        from ffd_tui.screens.help import HelpScreen

        if not isinstance(self.screen, (HelpScreen, CommandPalette)):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action usable here, by name, with its key."""
        if self.locked or self.actor is None:
            return
        seen = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            if binding.action in ("command_palette",):
                continue
            seen.add(binding.action)
            yield SystemCommand(binding.description, f"key: {self.get_key_display(binding)}",
                                partial(self.run_action, binding.action, active.node))
        yield SystemCommand("Lock the console", "ctrl+l", self.action_lock)
        yield SystemCommand("Sign out (forget this computer)", "ctrl+o", self.action_sign_out)
        yield SystemCommand("Quit", "q on the holding area", self.exit)

    def on_unmount(self) -> None:
        self._stop.set()
