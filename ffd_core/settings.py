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
    # Console key bindings by binding id, e.g. {"take_next" = "n"} under [keymap].
    keymap: dict[str, str] = field(default_factory=dict)
    # Email to referrers (SMTP). No host: nothing is sent and the outbox keeps every email.
    # The password: `ffd secret set smtp-password` or FFD_SMTP_PASSWORD, never this file.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # "starttls", "tls" (implicit, port 465) or "none" (loopback)
    smtp_username: str = ""
    smtp_sender: str = "Brackenshire Family Front Door <front-door@brackenshire.example>"
    # Replies come back to this address with a per-contact token after a "+"; empty: no Reply-To.
    smtp_reply_to: str = ""
    smtp_timeout_seconds: int = 30
    smtp_ca_file: str = ""  # a private CA for the council's relay; default: the system's CAs
    # The outbox worker: retries double from outbox_retry_seconds (with jitter) up to
    # outbox_retry_max_seconds; after outbox_max_attempts a message is a dead letter.
    outbox_max_attempts: int = 10
    outbox_retry_seconds: int = 30
    outbox_retry_max_seconds: int = 3600
    outbox_batch_size: int = 20
    # A claimed message that no worker finished within this is tried again (its worker died).
    outbox_lease_seconds: int = 600
    worker_poll_seconds: int = 5  # the longest an idle worker sleeps (it also wakes on changes)
    timed_jobs_seconds: int = 60  # how often chase-by and due-soon checks run

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
    problem = delivery_problem(settings)
    if problem:
        raise ConfigurationError(f"{file}: {problem}")
    return settings


# Whole-number settings: (least, most, unit in the error message).
_BOUNDED = {
    "idle_lock_minutes": (1, None, "minutes"),
    "smtp_port": (1, 65535, ""),
    "smtp_timeout_seconds": (1, 300, "seconds"),
    "outbox_max_attempts": (1, 100, "attempts"),
    "outbox_retry_seconds": (1, 86_400, "seconds"),
    "outbox_retry_max_seconds": (1, 7 * 86_400, "seconds"),
    "outbox_batch_size": (1, 1000, "messages"),
    "outbox_lease_seconds": (60, 86_400, "seconds"),
    "worker_poll_seconds": (1, 3600, "seconds"),
    "timed_jobs_seconds": (10, 86_400, "seconds"),
}
SMTP_SECURITY = ("starttls", "tls", "none")
# A worker stops a batch when its lease has fewer than this many SMTP timeouts left.
LEASE_TIMEOUTS = 10


def delivery_problem(settings: Settings) -> str | None:
    """What is wrong with the email and worker settings taken together, or None."""
    from ffd_core.domain.addresses import is_loopback, mailbox

    if settings.smtp_security not in SMTP_SECURITY:
        return f"smtp_security must be one of {', '.join(SMTP_SECURITY)}"
    if (settings.smtp_host and settings.smtp_security == "none"
            and not is_loopback(settings.smtp_host)):
        return ("smtp_security = \"none\" sends children's details unencrypted; it is allowed "
                "only for a relay on this machine (127.0.0.1): use \"starttls\" or \"tls\"")
    if mailbox(settings.smtp_sender) is None:
        return "smtp_sender must be one address, e.g. \"Front Door <front-door@council.example>\""
    if settings.smtp_reply_to and (mailbox(settings.smtp_reply_to) != settings.smtp_reply_to
                                   or "+" in settings.smtp_reply_to):
        return ("smtp_reply_to must be a plain address without \"+\", e.g. "
                "\"replies@council.example\" (the product adds +TOKEN for each contact)")
    if settings.outbox_retry_max_seconds < settings.outbox_retry_seconds:
        return "outbox_retry_max_seconds must be at least outbox_retry_seconds"
    if settings.outbox_lease_seconds < LEASE_TIMEOUTS * settings.smtp_timeout_seconds:
        return (f"outbox_lease_seconds must be at least {LEASE_TIMEOUTS} x smtp_timeout_seconds "
                f"({LEASE_TIMEOUTS * settings.smtp_timeout_seconds}), so a slow server never "
                "lets a second worker send the same message")
    return None


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
    if key in _BOUNDED:
        least, most, unit = _BOUNDED[key]
        if (not isinstance(value, int) or isinstance(value, bool) or value < least
                or (most is not None and value > most)):
            raise ValueError(f"give a whole number{' of ' + unit if unit else ''}, at least {least}"
                             + (f" and at most {most}" if most is not None else ""))
    elif not isinstance(value, str):
        raise TypeError("give a string")
    return value
