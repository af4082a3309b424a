"""Who may see what. Lifecycle edges carry their own rights; these are the other rules."""

from __future__ import annotations

from ffd_core.domain.vocab import Role
from ffd_core.errors import PermissionDenied

READERS = frozenset({Role.SCREENING_OFFICER, Role.SOCIAL_WORKER, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})
DIRECTORY_MANAGERS = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR})


def require_role(role: Role, allowed: frozenset[Role], doing: str) -> None:
    if role not in allowed:
        raise PermissionDenied(f"a {role.label} may not {doing}")


def can_open_contact(
    role: Role, user_id: int | None, *, restricted: bool, owner_id: int | None,
    referrer_user_id: int | None,
) -> bool:
    """Staff who work contacts may open them; a restricted one (e.g. about a colleague's own
    family) only its owner and supervisors; a partner only what they referred."""
    if role is Role.SYSTEM:
        return True
    if role is Role.PARTNER:
        return user_id is not None and user_id == referrer_user_id
    if role not in READERS:
        return False
    if restricted:
        return role is Role.SUPERVISOR or (user_id is not None and user_id == owner_id)
    return True


def require_open_contact(role: Role, user_id: int | None, reference: str, **facts) -> None:  # noqa: ANN003
    if not can_open_contact(role, user_id, **facts):
        raise PermissionDenied(
            f"you may not open {reference}; it is restricted or outside your role — "
            "ask a supervisor if you need it"
        )
