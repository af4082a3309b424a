"""Entry point for ``ffd console`` and ``ffd demo``."""

from __future__ import annotations

from collections.abc import Mapping

from ffd_core.services.context import Actor, Context


def run_console(ctx: Context, *, actor: Actor | None = None,
                keymap: Mapping[str, str] | None = None) -> None:
    """Run the console until the officer quits. ``actor`` None: sign in (or use the
    remember-me token in the OS keyring). ``keymap``: binding id -> keys (config ``[keymap]``)."""
    from ffd_tui.app import FrontDoorApp

    FrontDoorApp(ctx, actor, keymap=keymap).run()
