"""Every connector test talks to a real SMTP server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from ffd_core.settings import Settings
from tests.connectors.smtp_server import SmtpServer, smtp_server  # noqa: F401 - a fixture


@pytest.fixture
def settings(database_url: str, tmp_path: Path, smtp_server: SmtpServer) -> Settings:
    return Settings(database_url=database_url, blob_dir=str(tmp_path / "attachments"),
                    smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="none",
                    smtp_reply_to="replies@brackenshire.example", smtp_timeout_seconds=10,
                    outbox_max_attempts=10)
