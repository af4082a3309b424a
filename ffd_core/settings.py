"""Settings: a TOML file plus environment overrides, as one typed model. Secrets are never
read from the file.

Look-up order for the file: ``--config`` / ``FFD_CONFIG``, else ``ffd.toml`` in the user
config folder (platformdirs). Any setting can be overridden by ``FFD_<NAME>`` in the
environment (``FFD_DATABASE_URL``, ``FFD_FORMS_DIR``...): text settings take the value as
it is, others read it as a TOML value (``FFD_IDLE_LOCK_MINUTES=30``,
``FFD_SIGN_OFF_OUTCOMES='["early_help"]'``).

The model is pydantic (v2): each setting is one line below with its type, bounds and
default, and every problem is reported on its own line naming the file (or the variable)
and the fix. pydantic-settings was not needed: the two sources are a few lines here, and
this way a problem can say which source it came from.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from datetime import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.dataclasses import dataclass

from ffd_core.domain.access import AGENCY_WIDE_BY_DEFAULT
from ffd_core.domain.vocab import AgencyKind, Outcome
from ffd_core.errors import ConfigurationError

APP = "family-front-door"
ENV_PREFIX = "FFD_"
# Settings files are a few hundred bytes; anything near this is not one.
MAX_FILE_BYTES = 1_000_000
SUPPORTED_DATABASES = ("sqlite", "postgresql")
# Query parameters that would put a secret in the file (libpq's password and the client
# key's passphrase). passfile names a .pgpass file, which is how libpq keeps a password
# out of the URL, so it stays allowed.
SECRET_QUERY_KEYS = ("password", "sslpassword")


def data_dir() -> Path:
    return Path(os.environ.get("FFD_DATA_DIR") or platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    """Where ffd writes what a person may need to report (traces of unexpected errors)."""
    return data_dir() / "logs"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "ffd.toml"


# Types: each says what it accepts and, when refusing, what to write instead -------------


def _clock_time(value: Any) -> time:
    if isinstance(value, time):  # TOML's own local time, or Python code
        return value
    if isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return time.fromisoformat(value)
    raise ValueError('write times as "HH:MM" strings, e.g. "09:00"')


def _database_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if not url:
        return url  # the default: SQLite in the user data folder
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            f"{url!r} is not a database URL; write e.g. postgresql://ffd@db.internal/ffd "
            "or sqlite:////var/lib/ffd/ffd.sqlite"
        ) from None
    if parsed.get_backend_name() not in SUPPORTED_DATABASES:
        raise ValueError(
            f"{parsed.get_backend_name()} databases are not supported; "
            f"use {' or '.join(SUPPORTED_DATABASES)}"
        )
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise ValueError(
            f"the driver {parsed.get_driver_name()!r} is not known; "
            "write postgresql:// (psycopg is used) or sqlite://"
        ) from None
    return url


def _existing_folder(value: str) -> str:
    path = Path(value).expanduser()
    if path.is_dir():
        return value
    where = f"{value!r}" + (f" (from {Path.cwd()})" if not path.is_absolute() else "")
    problem = "is a file, not a folder" if path.exists() else "does not exist"
    raise ValueError(
        f"{where} {problem}; name the folder of the council's rules (create one with "
        "`ffd config export DIR`), or remove forms_dir to use the bundled rules"
    )


def _https(value: str) -> str:
    if not value.startswith("https://"):
        raise ValueError("must start with https://")
    return value


def _member_of(vocabulary: type[Enum], what: str) -> BeforeValidator:
    """A value from one of the domain's vocabularies, e.g. an outcome or an agency kind."""

    def check(value: Any) -> str:
        try:
            return vocabulary(value).value
        except ValueError:
            raise ValueError(f"{what} are: {', '.join(v.value for v in vocabulary)}") from None

    return BeforeValidator(check)


def _binding_ids(value: Any) -> Any:
    """``holding.take_next = "n"`` under [keymap] is, in TOML, a table inside the table:
    read it as the binding id it spells, as if it had been quoted."""
    if not isinstance(value, dict):
        return value
    flat: dict[Any, Any] = {}
    for key, keys in value.items():
        if isinstance(keys, dict):
            flat.update({f"{key}.{name}": k for name, k in keys.items()})
        else:
            flat[key] = keys
    return flat


Text = Annotated[str, Field(strict=True), StringConstraints(max_length=500)]
Setting = Annotated[str, Field(strict=True), StringConstraints(max_length=4096)]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]
DatabaseUrl = Annotated[Setting, AfterValidator(_database_url)]
Folder = Annotated[Setting, StringConstraints(min_length=1), AfterValidator(_existing_folder)]
HttpsUrl = Annotated[Setting, AfterValidator(_https)]
OutcomeName = Annotated[str, _member_of(Outcome, "outcomes")]
AgencyKindName = Annotated[str, _member_of(AgencyKind, "agency kinds")]
Keys = Annotated[str, Field(strict=True), StringConstraints(min_length=1, max_length=100)]


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Settings:
    """One line per setting: name, type (with its bounds) and default. A (pydantic)
    dataclass, so ``dataclasses.replace`` works and validates too."""

    database_url: DatabaseUrl = ""  # "": SQLite in the user data folder
    office_start: ClockTime = time(9, 0)
    office_end: ClockTime = time(17, 0)
    # "one_working_day" (Working Together 2023) or "24_hours" (a local target).
    decision_target: Literal["one_working_day", "24_hours"] = "one_working_day"
    sign_off_outcomes: tuple[OutcomeName, ...] = (
        Outcome.NO_FURTHER_ACTION.value,
        Outcome.EARLY_HELP.value,
    )
    idle_lock_minutes: Annotated[int, Field(strict=True, ge=1, le=1440)] = 10
    # Agency kinds whose partners see each other's referrals (a school's safeguarding leads);
    # other agencies (police forces, NHS trusts, councils) keep them per person.
    agency_wide_kinds: tuple[AgencyKindName, ...] = tuple(
        sorted(k.value for k in AGENCY_WIDE_BY_DEFAULT)
    )
    # A supervisor's own decision that needs sign-off is signed off by another supervisor.
    four_eyes: Annotated[bool, Field(strict=True)] = True
    guidance_base_url: HttpsUrl = "https://www.brackenshire.example/threshold-guidance"
    forms_dir: Folder | None = None  # None: the bundled rules
    blob_dir: Setting = ""
    # Let `ffd demo`'s accounts sign in to a store the demo did not make (see SECURITY.md).
    allow_demo_accounts: Annotated[bool, Field(strict=True)] = False
    # The web endpoint (ffd serve): where emailed links point (never taken from a request's
    # Host header), session timeouts, drafts, documents and the restricted child look-up.
    web_base_url: Annotated[Setting, StringConstraints(pattern=r"^(https?://[^/?#\s]+)?$")] = ""
    web_idle_minutes: Annotated[int, Field(strict=True, ge=2, le=240)] = 20
    web_session_hours: Annotated[int, Field(strict=True, ge=1, le=24)] = 8
    draft_days: Annotated[int, Field(strict=True, ge=1, le=365)] = 28
    attachment_max_mb: Annotated[int, Field(strict=True, ge=1, le=100)] = 10
    contact_attachments_max_mb: Annotated[int, Field(strict=True, ge=1, le=1000)] = 50
    clamd_address: Setting = ""  # "" off; a unix socket path, or host:port of ClamAV's clamd
    lookup_agency_kinds: tuple[AgencyKindName, ...] = (
        "school", "gp_practice", "hospital", "health_visiting", "school_nursing",
        "other_health", "police")
    # Look-ups an hour per person (one mailbox, whatever its accounts) and per agency (all
    # its people together): a safeguarding lead needs a handful; many more is a trawl.
    lookup_per_person_per_hour: Annotated[int, Field(strict=True, ge=1, le=1000)] = 20
    lookup_per_agency_per_hour: Annotated[int, Field(strict=True, ge=1, le=100_000)] = 200
    # Console keys by binding id (press ? to see them), e.g. holding.take_next = "n" under
    # [keymap]; the console refuses an unknown id, naming the nearest.
    keymap: Annotated[dict[Keys, Keys], BeforeValidator(_binding_ids)] = Field(
        default_factory=dict, max_length=500)
    # Email to referrers (SMTP). No host: nothing is sent and the outbox keeps every email.
    # The password: `ffd secret set smtp-password` or FFD_SMTP_PASSWORD, never this file.
    smtp_host: Text = ""
    smtp_port: Annotated[int, Field(strict=True, ge=1, le=65535)] = 587
    # "starttls", "tls" (implicit, port 465) or "none" (a relay on this machine only)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: Text = ""
    smtp_sender: Text = "Brackenshire Family Front Door <front-door@brackenshire.example>"
    # Replies come back to this address with a per-contact token after a "+"; empty: no Reply-To.
    smtp_reply_to: Text = ""
    smtp_timeout_seconds: Annotated[int, Field(strict=True, ge=1, le=300)] = 30
    smtp_ca_file: Setting = ""  # a private CA for the council's relay; default: the system's CAs
    # The outbox worker: retries double from outbox_retry_seconds (with jitter) up to
    # outbox_retry_max_seconds; after outbox_max_attempts a message is a dead letter.
    outbox_max_attempts: Annotated[int, Field(strict=True, ge=1, le=100)] = 10
    outbox_retry_seconds: Annotated[int, Field(strict=True, ge=1, le=86400)] = 30
    outbox_retry_max_seconds: Annotated[int, Field(strict=True, ge=1, le=7 * 86400)] = 3600
    outbox_batch_size: Annotated[int, Field(strict=True, ge=1, le=1000)] = 20
    # A claimed message that no worker finished within this is tried again (its worker died).
    outbox_lease_seconds: Annotated[int, Field(strict=True, ge=60, le=86400)] = 600
    # The longest an idle worker sleeps (it also wakes on changes).
    worker_poll_seconds: Annotated[int, Field(strict=True, ge=1, le=3600)] = 5
    timed_jobs_seconds: Annotated[int, Field(strict=True, ge=10, le=86400)] = 60
    # The case system (pushes of decided contacts, per child; the JSON contract is in
    # ffd_core/connectors/case_system_contract.py). No URL: pushes wait in the outbox. The
    # token: `ffd secret set case-system-token` or FFD_CASE_SYSTEM_TOKEN, never this file.
    case_system_url: Setting = ""
    case_system_timeout_seconds: Annotated[int, Field(strict=True, ge=1, le=300)] = 30
    case_system_mapping: Setting = ""  # a council's field mapping (YAML); "": the bundled one
    # Secure-email intake (`ffd intake serve`): the council's relay forwards partners' mail.
    intake_host: Text = "127.0.0.1"
    intake_port: Annotated[int, Field(strict=True, ge=1, le=65535)] = 8025
    intake_protocol: Literal["smtp", "lmtp"] = "smtp"
    intake_relay_hosts: tuple[Text, ...] = ("127.0.0.1",)  # the relay's IP addresses: no other
    intake_authserv_id: Text = ""  # the relay's name in its Authentication-Results header
    intake_partner_domains: tuple[Text, ...] = ()  # e.g. ["police.example", "probation.example"]
    intake_max_bytes: Annotated[int, Field(strict=True, ge=1_000_000, le=200_000_000)] = 25_000_000

    @model_validator(mode="after")
    def _office_hours(self) -> Settings:
        if self.office_start >= self.office_end:
            raise ValueError("office_start must be before office_end")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{data_dir() / 'ffd.sqlite'}"

    @property
    def resolved_blob_dir(self) -> Path:
        return Path(self.blob_dir) if self.blob_dir else data_dir() / "attachments"


# Loading -----------------------------------------------------------------------------------


def load_settings(path: Path | None = None) -> Settings:
    explicit = path or (Path(os.environ["FFD_CONFIG"]) if os.environ.get("FFD_CONFIG") else None)
    file = explicit or default_config_path()
    from_file = _read_file(file, required=explicit is not None)
    from_env = _environment()
    problems = [f"{file}: {p}" for p in _file_problems(from_file)]
    values = {**from_file, **from_env}
    if not problems:
        try:
            settings = Settings(**values)
        except ValidationError as error:
            problems = [_describe(e, file, from_env) for e in error.errors()]
        else:
            problem = delivery_problem(settings)
            if problem is None:
                return settings
            problems = [f"{file}: {problem}"]
    raise ConfigurationError("\n".join(problems))


# A worker stops a batch when its lease has fewer than this many SMTP timeouts left.
LEASE_TIMEOUTS = 10


def delivery_problem(settings: Settings) -> str | None:
    """What is wrong with the email and worker settings taken together, or None. (Checked
    on loading and by the sender at start; not a field check, so a test can build a
    settings object that a council's file could not.)"""
    from ffd_core.domain.addresses import is_loopback, mailbox

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
    if settings.case_system_url:
        from ffd_core.connectors.http import OutboundFailed, checked_url

        try:
            checked_url(settings.case_system_url, "case_system_url")
        except OutboundFailed as error:
            return str(error)
    slowest, name = max((settings.smtp_timeout_seconds, "smtp_timeout_seconds"),
                        (settings.case_system_timeout_seconds, "case_system_timeout_seconds"))
    if settings.outbox_lease_seconds < LEASE_TIMEOUTS * slowest:
        return (f"outbox_lease_seconds must be at least {LEASE_TIMEOUTS} x {name} "
                f"({LEASE_TIMEOUTS * slowest}), so a slow server never lets a second worker "
                "send the same message")
    return None


def check_database_url(url: str, where: str) -> str:
    """``url`` if the product can use it; else a ConfigurationError naming ``where``."""
    try:
        return _database_url(url)
    except ValueError as error:
        raise ConfigurationError(f"{where}: {error}") from None


def _read_file(file: Path, required: bool) -> dict[str, Any]:
    if file.is_dir():
        raise ConfigurationError(f"{file} is a folder; --config or FFD_CONFIG names the TOML file")
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        if required:
            raise ConfigurationError(f"config file {file} does not exist; check the path") from None
        return {}
    except OSError as error:
        raise ConfigurationError(f"cannot read {file}: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigurationError(f"{file}: larger than 1 MB, so not a settings file; check the path")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigurationError(
            f"{file}: not UTF-8 text (is it the right file?); save it as UTF-8 TOML"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{file}: {error}; fix the TOML syntax there") from None


def _file_problems(values: dict[str, Any]) -> list[str]:
    """What the file may not say, whatever its types: unknown keys and secrets."""
    known = list(Settings.__pydantic_fields__)
    problems = []
    for key in values:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"settings are: {', '.join(known)}"
            problems.append(f"unknown setting {key!r}; {hint}")
    url = values.get("database_url")
    if isinstance(url, str) and _secret_in_url(url):
        problems.append(
            f"database_url contains a password ({_secret_in_url(url)}); remove it and store it "
            "with `ffd secret set database-password` or FFD_DATABASE_PASSWORD"
        )
    return problems


def _secret_in_url(url: str) -> str:
    """Where ``url`` carries a secret ("user:password@", "?password="), or ""."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return ""
    if parsed.password:
        return "user:password@"
    for key in parsed.query:
        if key.lower() in SECRET_QUERY_KEYS:
            return f"?{key}="
    return ""


def _environment() -> dict[str, Any]:
    """FFD_<NAME> for every setting that is set in the environment."""
    values: dict[str, Any] = {}
    for name, field in Settings.__pydantic_fields__.items():
        raw = os.environ.get(ENV_PREFIX + name.upper())
        if not raw:
            continue
        if field.annotation in (str, str | None):
            values[name] = raw
        else:
            try:
                values[name] = tomllib.loads(f"value = {raw}")["value"]
            except tomllib.TOMLDecodeError:
                values[name] = raw  # e.g. 09:00; the setting's own check explains
    return values


# What to write instead, by pydantic's error type, where its own words would not say.
_FIXES = {
    "string_type": "give text in quotes",
    "int_type": "give a whole number",
    "bool_type": "give true or false",
    "tuple_type": 'give a list, e.g. ["no_further_action"]',
    "dict_type": 'write it as a table, e.g. [keymap] then holding.take_next = "n"',
    "time_type": 'write times as "HH:MM" strings, e.g. "09:00"',
}


def _describe(error: Any, file: Path, from_env: dict[str, Any]) -> str:
    """One line: where the value came from, which setting, what is wrong, what to do."""
    loc = [str(part) for part in error["loc"]]
    source = (
        f"environment variable {ENV_PREFIX}{loc[0].upper()}" if loc and loc[0] in from_env
        else str(file)
    )
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        low, high = _bounds(loc[0])
        message = f"give a whole number from {low} to {high}"
    elif error["type"] == "literal_error":
        message = f"must be {error['ctx']['expected']}"
    else:
        message = _FIXES.get(error["type"]) or str(error["msg"]).removeprefix("Value error, ")
    return f"{source}: {'.'.join(loc)}: {message}" if loc else f"{source}: {message}"


def _bounds(name: str) -> tuple[Any, Any]:
    metadata = Settings.__pydantic_fields__[name].metadata
    low = next((m.ge for m in metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in metadata if getattr(m, "le", None) is not None), None)
    return low, high
