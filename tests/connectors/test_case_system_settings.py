"""The case-system settings: HTTPS except to this machine, a token off this machine, a lease
long enough for a slow case system, and a council's field mapping checked at start."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ffd_core.connectors.case_system import CaseSystemSender
from ffd_core.domain.case_mapping import load_mapping
from ffd_core.errors import ConfigurationError
from ffd_core.settings import load_settings


@pytest.mark.parametrize("text, message", [
    ('case_system_url = "http://framework-i.council.example"', "refusing plain http://"),
    ('case_system_url = "ftp://framework-i.council.example"', "is not an https:// URL"),
    ("case_system_timeout_seconds = 120\noutbox_lease_seconds = 600",
     "at least 10 x case_system_timeout_seconds (1200)"),
])
def test_bad_case_system_settings_are_refused(tmp_path, monkeypatch, text, message):
    monkeypatch.delenv("FFD_DATABASE_URL", raising=False)
    path = tmp_path / "ffd.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        load_settings(path)


def test_a_remote_case_system_needs_its_token(ctx, monkeypatch):
    monkeypatch.delenv("FFD_CASE_SYSTEM_TOKEN", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    ctx.settings = replace(ctx.settings, case_system_url="https://framework-i.council.example")
    with pytest.raises(ConfigurationError, match="case-system-token is not set"):
        CaseSystemSender(ctx)
    monkeypatch.setenv("FFD_CASE_SYSTEM_TOKEN", "not-a-real-token")
    assert CaseSystemSender(ctx).token == "not-a-real-token"


def test_a_councils_mapping_is_checked_with_every_problem_named(tmp_path):
    path = tmp_path / "case_system.yaml"
    path.write_text("version: 1\nepisode_for: [made_up]\ncontact:\n  category: colour\n"
                    "codes:\n  outcome:\n    social_care_referral: REF\n")
    with pytest.raises(ConfigurationError) as refused:
        load_mapping(str(path))
    problem = str(refused.value)
    assert "episode_for: list outcomes from" in problem
    assert "contact.category: 'colour' is not a fact" in problem
    assert "codes.outcome: give a code for" in problem and "no_further_action" in problem
