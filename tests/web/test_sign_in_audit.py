"""On the web endpoint a right password is only the first step: the trail says "password
accepted, code sent" then, and "signed in" only when the emailed code is accepted, so an
inspector never reads a sign-in that did not happen."""

from __future__ import annotations

from sqlalchemy import select

from ffd_core.store.tables import AuditEvent
from tests.conftest import PASSWORD
from tests.web.conftest import TEACHER, last_code, post


def trail(ctx) -> list[tuple[str, dict]]:  # noqa: ANN001
    """The teacher's account events, oldest first."""
    with ctx.read() as session:
        rows = session.execute(select(AuditEvent).where(AuditEvent.subject.like("user:%"))
                               .order_by(AuditEvent.seq)).scalars()
        return [(e.action, e.data or {}) for e in rows if e.actor_name == "Tess Teacher"]


def test_only_the_accepted_code_is_audited_as_a_sign_in(client, web_ctx):
    post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    assert trail(web_ctx) == [("web_password_accepted", {"via": "web", "code_sent": True})]
    code = last_code(web_ctx, TEACHER)
    post(client, "/sign-in/code", {"code": "000000" if code != "000000" else "111111"})
    assert [action for action, _ in trail(web_ctx)] == ["web_password_accepted", "web_code_failed"]
    post(client, "/sign-in/code", {"code": code})
    assert trail(web_ctx)[-1] == ("sign_in", {"via": "web"})
    assert [action for action, _ in trail(web_ctx)].count("sign_in") == 1


def test_a_right_password_with_no_code_left_to_send_is_not_a_sign_in(client, web_ctx):
    for _ in range(6):  # five codes a quarter of an hour, then none
        post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    assert trail(web_ctx)[-1] == ("web_password_accepted", {"via": "web", "code_sent": False})
    assert "sign_in" not in [action for action, _ in trail(web_ctx)]
