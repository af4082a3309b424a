"""The settings file: validated, with the file and the fix in every error; no secrets in it."""

from __future__ import annotations

import re
from datetime import time

import pytest

from ffd_core.errors import ConfigurationError
from ffd_core.settings import load_settings


def write(tmp_path, text: str):  # noqa: ANN001, ANN201
    path = tmp_path / "ffd.toml"
    path.write_text(text)
    return path


def test_good_file_and_environment_override(tmp_path, monkeypatch):
    monkeypatch.setenv("FFD_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite")
    settings = load_settings(write(tmp_path, 'office_start = "08:30"\noffice_end = "16:30"\n'
                                             'sign_off_outcomes = ["no_further_action"]\n'
                                             '[keymap]\ntake_next = "n"\n'))
    assert settings.office_start == time(8, 30) and settings.office_end == time(16, 30)
    assert settings.sign_off_outcomes == ("no_further_action",)
    assert settings.keymap == {"take_next": "n"}
    assert settings.resolved_database_url == "sqlite:////tmp/elsewhere.sqlite"


@pytest.mark.parametrize("text, message", [
    ('datbase_url = "x"', "unknown setting(s) datbase_url"),
    ('database_url = "postgresql://ffd:hunter2@db/ffd"', "contains a password"),
    ('office_start = 9', 'write times as "HH:MM"'),
    ('office_start = "18:00"', "office_start must be before office_end"),
    ('decision_target = "48_hours"', "decision_target must be"),
    ('sign_off_outcomes = ["maybe"]', "outcomes are"),
    ('idle_lock_minutes = 0', "at least 1"),
    ('council_name = ', "fix the TOML syntax"),
])
def test_bad_settings_are_refused_with_file_and_fix(tmp_path, monkeypatch, text, message):
    monkeypatch.delenv("FFD_DATABASE_URL", raising=False)
    path = write(tmp_path, text + "\n")
    with pytest.raises(ConfigurationError, match=re.escape(message)) as error:
        load_settings(path)
    assert str(path) in str(error.value)


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")
