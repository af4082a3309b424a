"""What the outbox worker asks of a sender, whatever it talks to (SMTP now, the case
system next): open a channel, deliver one claimed row at a time, say how it failed."""

from __future__ import annotations

from typing import Protocol

from ffd_core.services.outbox import Claimed


class DeliveryError(Exception):
    """Not delivered. ``permanent``: retrying cannot help (it becomes a dead letter now);
    ``bounced`` when that is because the peer refused it (e.g. SMTP 550 no such mailbox)
    rather than because it could not even be made. ``peer_down``: the peer could not be
    reached or used at all, so every other message would fail the same way: the worker
    puts the rest back and waits before trying that peer again."""

    def __init__(self, reason: str, *, permanent: bool = False, bounced: bool = False,
                 peer_down: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent or bounced
        self.bounced = bounced
        self.peer_down = peer_down


class Channel(Protocol):
    def deliver(self, item: Claimed) -> None:
        """Deliver one row; return once the peer has accepted it, else raise DeliveryError."""

    def close(self) -> None: ...


class Sender(Protocol):
    kind: str  # the outbox kind it delivers, e.g. "email"

    def open(self) -> Channel:
        """A channel for one batch (e.g. one SMTP connection, opened on first use)."""
