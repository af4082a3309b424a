"""Server-side sessions (Litestar's), with the session id renewed at sign-in so an id
planted before sign-in is worthless after it (session fixation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)

RENEW = "_renew_id"  # set in a session to give it a new id when the response is sent
_FRESH = "ffd.fresh_session_id"


def renew_id(session: dict[str, Any]) -> None:
    session[RENEW] = True


class RenewingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection) -> str:  # noqa: ANN001
        return connection.scope.get(_FRESH) or super().get_session_id(connection)

    async def store_in_message(self, scope_session, message, connection) -> None:  # noqa: ANN001
        if isinstance(scope_session, dict) and scope_session.pop(RENEW, None):
            old = connection.cookies.get(self.config.key)
            if old and old != "null":
                await self.delete(old, store=self.config.get_store_from_app(connection.scope["app"]))
            connection.scope[_FRESH] = self.generate_session_id()
        await super().store_in_message(scope_session, message, connection)


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = RenewingSessionBackend
