"""Opening the product from the command line: settings, secrets, store, errors."""

from __future__ import annotations

import getpass
import secrets as token
from typing import Any

import click

from ffd_core.domain.vocab import Role
from ffd_core.errors import FFDError
from ffd_core.services.admin import store_problem
from ffd_core.secrets import get_secret, set_secret
from ffd_core.services.context import Actor, Context
from ffd_core.settings import Settings, load_settings


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


class FriendlyError(click.ClickException):
    """Shown as one red line; exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.secho(f"error: {self.message}", fg="red", err=True)


class FFDGroup(click.Group):
    """The top-level group: every product error becomes one clear line, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FFDError as error:
            raise FriendlyError(str(error)) from error
        except Exception as error:
            problem = store_problem(error)
            if problem is None:
                raise
            raise FriendlyError(problem) from error
