"""`ffd intake quarantine list / show / release / delete` and `ffd intake serve`'s checks,
in-process against a real store; `ffd worker --once` pushing to the sandbox case system."""

from __future__ import annotations

import pytest

from ffd_core.services import intake
from ffd_core.services.context import SYSTEM
from tests.cli.runner import ffd_with_config
from tests.connectors.case_system_world import Sandbox, case_people, decided_referrals
from tests.connectors.mail_world import INTAKE, an_email, intake_settings


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    return intake_settings(settings)


@pytest.fixture
def run(database_url, monkeypatch, tmp_path, settings):  # noqa: ANN001, ANN201
    return ffd_with_config(monkeypatch, database_url, tmp_path / "ffd.toml",
                           f'blob_dir = "{settings.blob_dir}"\n')


def held(ctx, sender: str) -> int:  # noqa: ANN001
    raw = an_email(sender)
    return intake.receive(ctx, SYSTEM, intake.Arrival("127.0.0.1", "b@x.example", (INTAKE,), raw,
                                                      len(raw))).email_id


def test_quarantine_from_the_command_line(run, ctx):
    first = held(ctx, "Someone <someone@elsewhere.example>")
    second = held(ctx, "Spam <spam@elsewhere.example>")
    listing = run("intake", "quarantine", "list").output
    assert "someone@elsewhere.example" in listing and "not in a partner" in listing
    shown = run("intake", "quarantine", "show", str(first)).output
    assert "Held because: someone@elsewhere.example is not in a partner domain" in shown
    assert "4 Oak Street" in shown
    refused = run("intake", "quarantine", "release", str(first), "--reason", " ")
    assert refused.exit_code == 2 and "say why" in refused.output
    released = run("intake", "quarantine", "release", str(first), "--reason", "phoned to check")
    assert released.exit_code == 0 and "is now contact id" in released.output
    assert run("intake", "quarantine", "delete", str(second), "--reason", "spam").exit_code == 0
    assert "Nothing in quarantine." in run("intake", "quarantine", "list").output
    assert "deleted" in run("intake", "quarantine", "list", "--all").output


def test_serve_refuses_to_start_without_knowing_the_relay(run, monkeypatch):
    result = run("intake", "serve")
    assert result.exit_code == 2 and "set intake_authserv_id" in result.output


def test_the_worker_pushes_decided_children_to_the_case_system(run, ctx, people, monkeypatch):
    persons = case_people(ctx, 2)
    decided_referrals(ctx, people, persons, 1)
    sandbox = Sandbox().start()
    try:
        monkeypatch.setenv("FFD_CASE_SYSTEM_URL", sandbox.url)
        result = run("worker", "--once")
        assert result.exit_code == 0 and "sent 1" in result.output
        listing = " ".join(run("outbox", "list", "--state", "sent").output.split())
        assert "Case-system" in listing and "Kid0a" in listing
    finally:
        sandbox.stop()
    assert [m.person_id for m in sandbox.state.made] == ["FI-00000"]
