"""Problems found in configuration files, each pointing at a file and line a person can open."""

from __future__ import annotations

from dataclasses import dataclass

from ffd_core.errors import ConfigurationError
from pathlib import Path


@dataclass(frozen=True)
class ConfigError:
    file: str
    line: int | None  # 1-based; None when the problem is with the file as a whole
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class ConfigInvalid(ConfigurationError):
    """Raised by load_config when a council's configuration cannot be used."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        header = f"{count} problem{'s' if count != 1 else ''} in the configuration"
        super().__init__("\n".join([header, *(str(e) for e in self.errors)]))


class ErrorSink:
    """Collects errors for one file so checks can say 'here' without repeating the filename."""

    def __init__(self, file: str | Path) -> None:
        self.file = str(file)
        self.errors: list[ConfigError] = []

    def add(self, line: int | None, message: str, hint: str = "") -> None:
        self.errors.append(ConfigError(self.file, line, message, hint))
