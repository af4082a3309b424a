"""Settings: a TOML file plus environment overrides. Secrets are never read from here.

Look-up order for the file: ``--config`` / ``FFD_CONFIG``, else ``ffd.toml`` in the user
config folder (platformdirs). ``FFD_DATABASE_URL`` overrides the database.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any

import platformdirs

from ffd_core.domain.access import AGENCY_WIDE_BY_DEFAULT
from ffd_core.domain.vocab import AgencyKind, Outcome
from ffd_core.errors import ConfigurationError

APP = "family-front-door"


def data_dir() -> Path:
    return Path(os.environ.get("FFD_DATA_DIR") or platformdirs.user_data_dir(APP, appauthor=False))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "ffd.toml"


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    council_name: str = "Brackenshire County Council"
    edt_phone: str = "01632 960 999"
    office_start: time = time(9, 0)
    office_end: time = time(17, 0)
    # "one_working_day" (Working Together 2023) or "24_hours" (a local target).
    decision_target: str = "one_working_day"
    sign_off_outcomes: tuple[str, ...] = (Outcome.NO_FURTHER_ACTION.value, Outcome.EARLY_HELP.value)
    idle_lock_minutes: int = 10
    # Agency kinds whose partners see each other's referrals (a school's safeguarding leads);
    # other agencies (police forces, NHS trusts, councils) keep them per person.
    agency_wide_kinds: tuple[str, ...] = tuple(sorted(k.value for k in AGENCY_WIDE_BY_DEFAULT))
    # A supervisor's own decision that needs sign-off is signed off by another supervisor.
    four_eyes: bool = True
    guidance_base_url: str = "https://www.brackenshire.example/threshold-guidance"
    forms_dir: str | None = None
    blob_dir: str = ""
    # Let `ffd demo`'s accounts sign in to a store the demo did not make (see SECURITY.md).
    allow_demo_accounts: bool = False
    # Console key bindings by binding id, e.g. {"take_next" = "n"} under [keymap].
    keymap: dict[str, str] = field(default_factory=dict)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{data_dir() / 'ffd.sqlite'}"

    @property
    def resolved_blob_dir(self) -> Path:
        return Path(self.blob_dir) if self.blob_dir else data_dir() / "attachments"


_KNOWN = {f.name for f in fields(Settings)}


def load_settings(path: Path | None = None) -> Settings:
    explicit = path or (Path(os.environ["FFD_CONFIG"]) if os.environ.get("FFD_CONFIG") else None)
    file = explicit or default_config_path()
    values: dict[str, Any] = {}
    if file.exists():
        try:
            values = tomllib.loads(file.read_text("utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigurationError(f"{file}: {error}; fix the TOML syntax there") from error
    elif explicit:
        raise ConfigurationError(f"config file {file} does not exist; check the path")
    settings = _from_mapping(values, file)
    if os.environ.get("FFD_DATABASE_URL"):
        settings = _replace(settings, database_url=os.environ["FFD_DATABASE_URL"])
    return settings


def _replace(settings: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def _from_mapping(values: dict[str, Any], file: Path) -> Settings:
    unknown = sorted(set(values) - _KNOWN)
    if unknown:
        raise ConfigurationError(
            f"{file}: unknown setting(s) {', '.join(unknown)}; known settings are "
            f"{', '.join(sorted(_KNOWN))}"
        )
    if _has_password(values.get("database_url")):
        raise ConfigurationError(
            f"{file}: database_url contains a password; remove it and store it with "
            "`ffd secret set database-password` or FFD_DATABASE_PASSWORD"
        )
    converted: dict[str, Any] = {}
    for key, value in values.items():
        try:
            converted[key] = _convert(key, value)
        except (TypeError, ValueError) as error:
            raise ConfigurationError(f"{file}: setting {key!r}: {error}") from error
    settings = Settings(**converted)
    if settings.decision_target not in ("one_working_day", "24_hours"):
        raise ConfigurationError(
            f"{file}: decision_target must be \"one_working_day\" or \"24_hours\""
        )
    if settings.office_start >= settings.office_end:
        raise ConfigurationError(f"{file}: office_start must be before office_end")
    for outcome in settings.sign_off_outcomes:
        Outcome(outcome)
    return settings


def _has_password(url: Any) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not isinstance(url, str) or not url:
        return False
    try:
        return bool(make_url(url).password)
    except ArgumentError:
        return False


def _convert(key: str, value: Any) -> Any:
    if key in ("office_start", "office_end"):
        if not isinstance(value, str):
            raise TypeError('write times as "HH:MM" strings, e.g. "09:00"')
        return time.fromisoformat(value)
    if key == "sign_off_outcomes":
        if not isinstance(value, list):
            raise TypeError("give a list of outcomes")
        try:
            return tuple(Outcome(v).value for v in value)
        except ValueError:
            raise ValueError(
                f"outcomes are: {', '.join(o.value for o in Outcome)}"
            ) from None
    if key == "agency_wide_kinds":
        if not isinstance(value, list):
            raise TypeError("give a list of agency kinds")
        try:
            return tuple(AgencyKind(v).value for v in value)
        except ValueError:
            raise ValueError(f"agency kinds are: {', '.join(k.value for k in AgencyKind)}") from None
    if key == "four_eyes":
        if not isinstance(value, bool):
            raise TypeError("give true or false")
        return value
    if key == "keymap":
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
            raise TypeError('write [keymap] as binding = "keys", e.g. take_next = "n"')
        return dict(value)
    if key == "allow_demo_accounts":
        if not isinstance(value, bool):
            raise TypeError("give true or false")
        return value
    if key == "idle_lock_minutes":
        if not isinstance(value, int) or value < 1:
            raise ValueError("give a whole number of minutes, at least 1")
    elif not isinstance(value, str):
        raise TypeError("give a string")
    return value
