"""Opening the product from the command line: settings, secrets, store, errors."""

from __future__ import annotations

import getpass
import os
import secrets as token
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from ffd_core.domain.vocab import Role
from ffd_core.errors import FFDError
from ffd_core.secrets import get_secret, set_secret
from ffd_core.services.admin import store_problem
from ffd_core.services.context import Actor, Context
from ffd_core.settings import Settings, load_settings, log_dir


def cli_actor() -> Actor:
    """Administration from the command line is recorded as the operating-system user."""
    return Actor(user_id=None, name=f"ffd command line ({getpass.getuser()})", role=Role.SYSTEM)


def settings_from(ctx: click.Context) -> Settings:
    return load_settings(ctx.obj.get("config") if ctx.obj else None)


def open_context(settings: Settings, check_schema: bool = True) -> Context:
    return Context.open(settings, check_schema=check_schema)


def ensure_audit_key() -> bool:
    """For the demo: make an audit key if none exists. Returns True if one was made."""
    if get_secret("audit-key"):
        return False
    set_secret("audit-key", token.token_urlsafe(32))
    return True


def ensure_mail_key() -> bool:
    """For the demo: make a mail key (seals account emails in the outbox) if none exists.
    Returns True if one was made."""
    if get_secret("mail-key"):
        return False
    set_secret("mail-key", token.token_urlsafe(32))
    return True


class FriendlyError(click.ClickException):
    """Shown as one red line; exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.secho(f"error: {self.message}", fg="red", err=True)


class UnexpectedError(FriendlyError):
    """Something no check foresaw: one line, with where the full trace went. Exit status 70
    (EX_SOFTWARE), so scripts can tell a fault in ffd from a refusal of bad input."""

    exit_code = 70


# click 8.2 raises this for a group called with nothing; earlier versions print help and exit.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


class FFDGroup(click.Group):
    """The top-level group: every product error becomes one clear line, never a traceback;
    anything else is the last resort below."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """As click's, but a usage error is one line too (click prints the usage first)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except _NO_ARGS_IS_HELP as error:  # `ffd people` alone: the help is the answer
            click.echo(error.format_message())
            sys.exit(error.exit_code)
        except click.UsageError as error:
            where = f"; see `{error.ctx.command_path} --help`" if error.ctx else ""
            click.secho(f"error: {error.format_message().rstrip('.')}{where}", fg="red", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FFDError as error:
            raise FriendlyError(str(error)) from error
        except (click.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise  # click's own: usage errors, Ctrl+C, --help
        except Exception as error:  # noqa: BLE001 - the last resort: never a traceback
            problem = store_problem(error)
            if problem is not None:
                raise FriendlyError(problem) from error
            if os.environ.get("FFD_DEBUG"):
                raise
            raise UnexpectedError(_unexpected(error)) from error


def _unexpected(error: Exception) -> str:
    """One line for an error no check foresaw; the full trace goes to a private file."""
    detail = str(error).strip().splitlines()
    what = type(error).__name__ + (f" ({detail[0]})" if detail else "")
    try:
        written = write_trace(error)
    except OSError as problem:
        return (f"unexpected {what}. The trace could not be saved ({problem.strerror or problem}); "
                "run again with FFD_DEBUG=1 to see it, and please report it.")
    return (f"unexpected {what}. The command stopped there; the full trace is in {written}: "
            "please report it with that file.")


def write_trace(error: BaseException) -> Path:
    """Append the trace to ffd-errors.log in the user's log folder, readable only by them
    (a trace can hold personal data from the record being handled)."""
    folder = log_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / "ffd-errors.log"
    trace = "".join(traceback.format_exception(error))
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    entry = f"--- {stamp} ffd {' '.join(sys.argv[1:])}\n{trace}\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        os.fchmod(descriptor, 0o600)  # also narrow a file an older version left wider
        handle.write(entry)
    return path
