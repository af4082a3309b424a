"""The email and worker settings are checked together, with the file and the fix; the
checks that keep personal data off the wire in clear and a message from two workers."""

from __future__ import annotations

import re

import pytest

from ffd_core.errors import ConfigurationError
from ffd_core.settings import load_settings


def test_a_good_email_setup(tmp_path):
    path = tmp_path / "ffd.toml"
    path.write_text('smtp_host = "smtp.council.example"\nsmtp_port = 465\nsmtp_security = "tls"\n'
                    'smtp_reply_to = "replies@council.example"\noutbox_max_attempts = 5\n')
    settings = load_settings(path)
    assert (settings.smtp_port, settings.smtp_security, settings.outbox_max_attempts) == (465, "tls", 5)


@pytest.mark.parametrize("text, message", [
    ('smtp_host = "smtp.council.example"\nsmtp_security = "none"', "sends children's details unencrypted"),
    ('smtp_security = "ssl"', "smtp_security: must be 'starttls', 'tls' or 'none'"),
    ("smtp_port = 0", "smtp_port: give a whole number from 1 to 65535"),
    ("smtp_port = true", "a whole number"),
    ('smtp_sender = "a@x.example, b@y.example"', "smtp_sender must be one address"),
    ('smtp_reply_to = "replies+x@council.example"', "without \"+\""),
    ("outbox_max_attempts = 0", "outbox_max_attempts: give a whole number from 1 to 100"),
    ("outbox_retry_seconds = 600\noutbox_retry_max_seconds = 60", "at least outbox_retry_seconds"),
    ("smtp_timeout_seconds = 120\noutbox_lease_seconds = 600", "at least 10 x smtp_timeout_seconds"),
])
def test_bad_email_settings_are_refused_with_the_file_and_the_fix(tmp_path, monkeypatch, text, message):
    monkeypatch.delenv("FFD_DATABASE_URL", raising=False)
    path = tmp_path / "ffd.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigurationError, match=re.escape(message)) as error:
        load_settings(path)
    assert str(path) in str(error.value)


def test_plain_smtp_to_this_machine_is_allowed(tmp_path):
    path = tmp_path / "ffd.toml"
    path.write_text('smtp_host = "127.0.0.1"\nsmtp_security = "none"\n')
    assert load_settings(path).smtp_security == "none"
