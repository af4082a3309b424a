"""How a screen changes things: through ffd_core's services, in a thread, answered by a typed
message.

Each change is a ``@write`` method of the screen: it runs in a thread worker, calls one
service and returns a message saying what happened (``HoldingScreen.Allocated(allocated,
failures)``, ``ContactScreen.Decided(status)``...). When the worker succeeds, the dialog
that asked for the change (if any) closes and the message is posted to the screen, whose
handler shows it; a Pilot test can watch for that message. The messages are dataclasses
(Textual's Message allows it) and do not bubble: they are for the screen that wrote.

When the store refuses, the dialog shows why and stays open with what was typed; with no
dialog, the screen's ``write_refused`` shows it.
"""

from __future__ import annotations

from textual import work
from textual.message import Message
from textual.worker import Worker, WorkerState

from ffd_core.errors import AccountDisabled, FFDError

WRITE = "write"
OPEN = "open"

write = work(thread=True, exit_on_error=False, group=WRITE)
# Reads what a dialog needs (e.g. the officers to allocate to), then opens it.
opens = work(thread=True, exit_on_error=False, group=OPEN)


class Writer:
    """Mixed into a screen whose ``@write`` methods change things (see the module)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == OPEN and event.state is WorkerState.ERROR:
            self.app.show_error(worker.error)  # type: ignore[attr-defined]
            return
        if worker.group != WRITE or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        from ffd_tui.screens.dialogs.base import ActionDialog

        asked = next((s for s in self.app.screen_stack  # type: ignore[attr-defined]
                      if isinstance(s, ActionDialog) and s.pending is worker), None)
        if event.state is WorkerState.ERROR:
            error = worker.error
            if asked is not None and isinstance(error, Exception) \
                    and not isinstance(error, AccountDisabled):
                asked.refused(error)
            elif isinstance(error, Exception):
                self.write_refused(error)
            return
        if asked is not None:
            asked.done()
        if isinstance(worker.result, Message):
            self.post_message(worker.result)  # type: ignore[attr-defined]


    def write_refused(self, error: Exception) -> None:
        """A change with no dialog was refused: say why (a screen may also reload)."""
        self.app.show_error(error)  # type: ignore[attr-defined]


def refusal(error: Exception) -> str:
    """What a dialog says when the store refuses."""
    return str(error) if isinstance(error, FFDError) else f"Unexpected: {error}"
