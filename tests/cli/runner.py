"""`ffd` run in-process against a test store, with a config file of the test's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from ffd_cli.main import cli
from tests.conftest import AUDIT_KEY


def ffd_with_config(monkeypatch, database_url: str, config: Path,  # noqa: ANN001
                    text: str) -> Callable[..., Result]:
    config.write_text(text)
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.setenv("FFD_CONFIG", str(config))
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def wide_output(monkeypatch, width: int = 300) -> None:  # noqa: ANN001
    """Results and notices printed this wide for the test, so nothing wraps. COLUMNS cannot
    do it: pytest-xdist sets COLUMNS=80 in its workers before ffd's consoles are made, and rich
    keeps the width a console was made with."""
    from ffd_cli.progress import console, notices
    for printer in (console, notices):
        monkeypatch.setattr(printer, "_width", width)
