"""`ffd agency key create / list / revoke` and `ffd serve`'s refusals, in-process."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.cli.test_cli import run  # noqa: F401 - the fixture


def test_a_key_is_shown_once_listed_by_prefix_and_revoked(run, web_ctx, app):  # noqa: F811
    created = run("agency", "key", "create", "Hawthorn Primary School", "--label", "School MIS")
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    prefix = key.split("_")[1]
    listing = run("agency", "key", "list").output
    assert prefix in listing and "School MIS" in listing and key not in listing
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/api/v1/contacts/FFD-2026-000001", headers=headers).status_code == 404
        assert run("agency", "key", "revoke", prefix).exit_code == 0
        assert client.get("/api/v1/contacts/FFD-2026-000001", headers=headers).status_code == 401
    assert run("agency", "key", "create", "No Such Agency").exit_code != 0


def test_serve_needs_both_halves_of_a_certificate(run, tmp_path):  # noqa: F811
    certificate = tmp_path / "cert.pem"
    certificate.write_text("not really")
    result = run("serve", "--certfile", str(certificate))
    assert result.exit_code == 2 and "give both --certfile and --keyfile" in result.output


def test_the_demos_endpoint_listens_or_says_its_port_is_taken(web_ctx):
    """The demo prints its endpoint's address only once it listens there: with the port
    taken (another demo), it stops with what to do rather than send partners elsewhere."""
    import socket

    import httpx
    import pytest

    from ffd_cli.runtime import FriendlyError
    from ffd_cli.web import start_beside

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(FriendlyError, match=f"could not listen on 127.0.0.1:{port}.*--web-port"):
            start_beside(web_ctx, port=port)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    address, server = start_beside(web_ctx, port=free)
    try:
        assert address == f"http://127.0.0.1:{free}"
        assert httpx.get(address + "/").status_code == 200
    finally:
        server.should_exit = True


def test_serve_will_not_start_without_a_mail_key(run, monkeypatch):  # noqa: F811
    """No sign-in code could be sealed: one line saying what to set, before listening."""
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    monkeypatch.delenv("FFD_MAIL_KEY")
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:  # an address this machine does not have: without the check, serve fails to bind
        result = run("serve", "--host", "192.0.2.1")
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 2 and "ffd secret set mail-key" in result.output
    assert "FFD_MAIL_KEY" in result.output
