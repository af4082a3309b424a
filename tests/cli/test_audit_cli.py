"""`ffd audit verify | checkpoint | rotate-key` against a real store, and a wrong key at the
command line: one line each, never a traceback."""

from __future__ import annotations

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends.fail import Keyring as NoKeyring
from keyrings.alt.file import PlaintextKeyring

from ffd_cli.main import cli
from ffd_core.audit import fingerprint
from ffd_core.audit_keys import archive_name
from tests.conftest import AUDIT_KEY
from tests.tampering import tamper

NEW_KEY = "a-new-audit-key-of-forty-random-characters"


@pytest.fixture
def run(database_url, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.delenv("FFD_CONFIG", raising=False)
    monkeypatch.delenv("FFD_AUDIT_OLD_KEYS", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # noqa: A002, ANN202
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    return invoke


@pytest.fixture
def keyring_in(tmp_path):  # noqa: ANN001, ANN201
    """A real file keyring in the test's folder (never the developer's own)."""
    previous = keyring.get_keyring()

    def use(backend):  # noqa: ANN001, ANN202
        if isinstance(backend, PlaintextKeyring):
            backend.file_path = str(tmp_path / "keyring.cfg")
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


def test_checkpoint_then_a_cut_trail_is_refused_in_one_line(run, ctx, tmp_path):
    book = tmp_path / "checkpoints.log"
    assert run("agency", "add", "Fenmoor Academy", "--kind", "school").exit_code == 0
    made = run("audit", "checkpoint", str(book))
    assert made.exit_code == 0 and "appended" in made.output
    printed = run("audit", "checkpoint", "-")
    assert printed.output.startswith("ffd-audit-checkpoint v1 ")
    assert "consistent with 1 checkpoints" in run("audit", "verify", "--checkpoint", str(book)).output
    tamper(ctx, "DELETE FROM audit_events WHERE seq > 5",
           "UPDATE audit_head SET last_seq = 5, last_hmac = "
           "(SELECT hmac FROM audit_events WHERE seq = 5)")
    result = run("audit", "verify", "--checkpoint", str(book))
    assert result.exit_code == 1
    verdict = [line for line in result.output.splitlines() if "not intact" in line]
    assert len(verdict) == 1 and "the head rewound?" in verdict[0]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_checkpoint_is_never_appended_to_the_store_itself(run, database_url):
    store = database_url.removeprefix("sqlite:///")
    before = open(store, "rb").read()
    for target in (store, store + "-wal"):
        refused = run("audit", "checkpoint", target)
        assert refused.exit_code == 2 and "which is the store" in refused.output, refused.output
        assert len(refused.output.strip().splitlines()) == 1
    assert open(store, "rb").read() == before
    assert "intact" in run("audit", "verify").output


def test_a_wrong_key_is_refused_at_the_command_line(run, monkeypatch):
    monkeypatch.setenv("FFD_AUDIT_KEY", "wrong")
    write = run("agency", "add", "Fenmoor Academy", "--kind", "school")
    assert write.exit_code == 2 and "nothing was written" in write.output
    verify = run("audit", "verify")
    assert verify.exit_code == 2 and "is not this store's" in verify.output
    assert "broken at event" not in verify.output


def test_rotate_with_a_key_from_the_environment(run, monkeypatch, keyring_in):
    keyring_in(NoKeyring())
    refused = run("audit", "rotate-key")
    assert refused.exit_code == 2 and "--new-key-stdin" in refused.output
    assert run("audit", "rotate-key", "--new-key-stdin", input="short\n").exit_code == 2
    rotated = run("audit", "rotate-key", "--new-key-stdin", input=NEW_KEY + "\n")
    assert rotated.exit_code == 0 and "FFD_AUDIT_OLD_KEYS" in rotated.output
    assert run("agency", "add", "Old Key School", "--kind", "school").exit_code == 2
    monkeypatch.setenv("FFD_AUDIT_KEY", NEW_KEY)
    assert run("agency", "add", "New Key School", "--kind", "school").exit_code == 0
    unchecked = run("audit", "verify")
    assert unchecked.exit_code == 1 and "FFD_AUDIT_OLD_KEYS" in unchecked.output
    monkeypatch.setenv("FFD_AUDIT_OLD_KEYS", AUDIT_KEY.decode())
    both = run("audit", "verify")
    assert both.exit_code == 0 and "under 2 keys" in both.output


def test_rotate_with_the_keyring_keeps_both_keys_there(run, monkeypatch, keyring_in):
    backend = keyring_in(PlaintextKeyring())
    backend.set_password("family-front-door", "audit-key", AUDIT_KEY.decode())
    monkeypatch.delenv("FFD_AUDIT_KEY")
    rotated = run("audit", "rotate-key")
    assert rotated.exit_code == 0, rotated.output
    assert archive_name(fingerprint(AUDIT_KEY)) in rotated.output
    new = backend.get_password("family-front-door", "audit-key")
    assert new != AUDIT_KEY.decode() and len(new) >= 32
    assert backend.get_password("family-front-door", archive_name(fingerprint(new.encode()))) == new
    assert run("agency", "add", "New Key School", "--kind", "school").exit_code == 0
    assert "under 2 keys" in run("audit", "verify").output
