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
                                             '[keymap]\nholding.take_next = "n"\n'))
    assert settings.office_start == time(8, 30) and settings.office_end == time(16, 30)
    assert settings.sign_off_outcomes == ("no_further_action",)
    assert settings.keymap == {"holding.take_next": "n"}
    assert settings.resolved_database_url == "sqlite:////tmp/elsewhere.sqlite"


@pytest.mark.parametrize("text, message", [
    ('datbase_url = "x"', "unknown setting 'datbase_url'; did you mean 'database_url'?"),
    ('database_url = "postgresql://ffd:hunter2@db/ffd"', "contains a password"),
    ('office_start = 9', 'write times as "HH:MM"'),
    ('office_start = "18:00"', "office_start must be before office_end"),
    ('decision_target = "48_hours"', "decision_target: must be 'one_working_day' or '24_hours'"),
    ('sign_off_outcomes = ["maybe"]', "outcomes are"),
    ('idle_lock_minutes = 0', "from 1 to 1440"),
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


@pytest.fixture
def clean_env(monkeypatch):  # noqa: ANN001, ANN201
    for name in list(__import__("os").environ):
        if name.startswith("FFD_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize("text, message", [
    # Item 8: a password in the query string is still a password in the file.
    ('database_url = "postgresql://ffd@h/db?password=s3cret"', "contains a password (?password=)"),
    ('database_url = "postgresql://ffd@h/db?sslmode=require&SSLPassword=x"',
     "contains a password (?SSLPassword=)"),
    ('database_url = "not a url"', "'not a url' is not a database URL; write e.g. postgresql://"),
    ('database_url = "mysql://ffd@h/db"', "mysql databases are not supported; use sqlite or postgresql"),
    # Item 7: every number is bounded.
    ("idle_lock_minutes = 100000000000000000000", "idle_lock_minutes: give a whole number from 1 to 1440"),
    ("idle_lock_minutes = true", "idle_lock_minutes: give a whole number"),
    ('idle_lock_minutes = "10"', "idle_lock_minutes: give a whole number"),
    ('office_start = "9am"', 'write times as "HH:MM"'),
    ('office_start = "25:00"', 'write times as "HH:MM"'),
    ("smtp_username = 5", "smtp_username: give text in quotes"),
    ('smtp_username = "' + "x" * 600 + '"', "smtp_username: String should have at most 500 characters"),
    ('sign_off_outcomes = "early_help"', "sign_off_outcomes: give a list"),
    ('guidance_base_url = "http://example.org"', "guidance_base_url: must start with https://"),
    ('[keymap]\nholding.take_next = ""',
     "keymap.holding.take_next: String should have at least 1 character"),
    ('keymap = "n"', "keymap: write it as a table"),
    ('four_eyes = "yes"', "four_eyes: give true or false"),
    ('agency_wide_kinds = ["spaceship"]', "agency kinds are"),
])
def test_hostile_or_careless_values_are_refused(tmp_path, clean_env, text, message):
    path = write(tmp_path, text + "\n")
    with pytest.raises(ConfigurationError, match=re.escape(message)) as error:
        load_settings(path)
    assert str(error.value).startswith(f"{path}: ")


def test_a_password_file_is_allowed_in_the_url(tmp_path, clean_env):
    settings = load_settings(write(tmp_path, 'database_url = "postgresql://ffd@h/db?passfile=/etc/ffd/pgpass"\n'))
    assert settings.database_url.endswith("passfile=/etc/ffd/pgpass")


def test_every_problem_is_one_line_naming_the_file(tmp_path, clean_env):
    path = write(tmp_path, 'idle_lock_minutes = 0\noffice_start = 9\nsmtp_username = 1\n')
    with pytest.raises(ConfigurationError) as error:
        load_settings(path)
    lines = str(error.value).splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{path}: ") for line in lines)


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", b"\x00\x01\x02 not toml"])
def test_a_binary_file_is_a_clear_error(tmp_path, clean_env, content):
    path = tmp_path / "ffd.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match=re.escape(str(path))) as error:
        load_settings(path)
    assert "UTF-8" in str(error.value) or "fix the TOML syntax" in str(error.value)


def test_a_config_path_that_is_a_folder_says_so(tmp_path, clean_env):
    with pytest.raises(ConfigurationError, match="is a folder; --config or FFD_CONFIG names the TOML file"):
        load_settings(tmp_path)


def test_forms_dir_must_be_a_folder_that_exists(tmp_path, clean_env):
    missing = tmp_path / "counci"
    with pytest.raises(ConfigurationError, match=re.escape(f"{tmp_path / 'ffd.toml'}: forms_dir: '{missing}' does not exist")) as error:
        load_settings(write(tmp_path, f'forms_dir = "{missing}"\n'))
    assert "ffd config export DIR" in str(error.value) and "remove forms_dir" in str(error.value)
    a_file = tmp_path / "cfc.yaml"
    a_file.write_text("x: 1\n")
    with pytest.raises(ConfigurationError, match="is a file, not a folder"):
        load_settings(write(tmp_path, f'forms_dir = "{a_file}"\n'))
    (tmp_path / "council").mkdir()
    assert load_settings(write(tmp_path, f'forms_dir = "{tmp_path / "council"}"\n')).forms_dir


def test_environment_overrides_any_setting_and_problems_name_the_variable(tmp_path, clean_env):
    clean_env.setenv("FFD_IDLE_LOCK_MINUTES", "30")
    clean_env.setenv("FFD_OFFICE_START", "08:00")
    clean_env.setenv("FFD_SIGN_OFF_OUTCOMES", '["early_help"]')
    settings = load_settings(write(tmp_path, "idle_lock_minutes = 5\n"))
    assert settings.idle_lock_minutes == 30 and settings.office_start == time(8, 0)
    assert settings.sign_off_outcomes == ("early_help",)
    clean_env.setenv("FFD_IDLE_LOCK_MINUTES", "0")
    with pytest.raises(ConfigurationError, match="^environment variable FFD_IDLE_LOCK_MINUTES: "):
        load_settings(write(tmp_path, ""))


def test_a_password_from_the_environment_is_allowed(tmp_path, clean_env):
    clean_env.setenv("FFD_DATABASE_URL", "postgresql://ffd:pw@h/db")
    assert load_settings(write(tmp_path, "")).database_url == "postgresql://ffd:pw@h/db"


def test_settings_in_code_keep_their_shape():
    from ffd_core.settings import Settings

    settings = Settings(database_url="sqlite:////tmp/x.sqlite", blob_dir="/tmp/blobs")
    assert settings.resolved_database_url == "sqlite:////tmp/x.sqlite"
    assert str(settings.resolved_blob_dir) == "/tmp/blobs" and settings.forms_dir is None
    assert settings.sign_off_outcomes == ("no_further_action", "early_help")
    assert settings.office_start == time(9, 0) and settings.keymap == {}
    with pytest.raises(Exception):
        settings.four_eyes = False  # frozen
    from dataclasses import replace

    assert replace(settings, four_eyes=False).four_eyes is False
    with pytest.raises(ValueError, match="idle_lock_minutes"):
        replace(settings, idle_lock_minutes=10**20)  # replacing validates too
