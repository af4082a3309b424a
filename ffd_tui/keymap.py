"""Every binding has an id ("holding.take_next", "contact.decide"...). A council or officer
remaps keys with a ``[keymap]`` table in the config file: ``"contact.decide" = "D"``."""

from __future__ import annotations

from collections.abc import Mapping

from ffd_core.errors import ConfigurationError


def binding_ids() -> dict[str, str]:
    """Every remappable binding id and its default keys."""
    from ffd_tui.app import FrontDoorApp
    from ffd_tui.screens.contact import ContactScreen
    from ffd_tui.screens.dialogs import ActionDialog, ConfirmDialog
    from ffd_tui.screens.help import HelpScreen
    from ffd_tui.screens.holding import HoldingScreen
    from ffd_tui.screens.people import PersonSearchScreen
    from ffd_tui.screens.review import ReviewScreen
    from ffd_tui.screens.signin import LockScreen, SignInScreen
    from ffd_tui.screens.supervisor import SupervisorScreen
    from ffd_tui.widgets.queue_table import QueueTable

    found: dict[str, str] = {}
    for owner in (FrontDoorApp, HoldingScreen, ContactScreen, SupervisorScreen, QueueTable,
                  ActionDialog, ConfirmDialog, HelpScreen, SignInScreen, LockScreen,
                  PersonSearchScreen, ReviewScreen):
        for binding in owner.BINDINGS:
            if getattr(binding, "id", None):
                found[binding.id] = binding.key
    return found


def check_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """Refuse unknown ids and empty keys, naming the fix."""
    known = binding_ids()
    unknown = sorted(set(keymap) - set(known))
    if unknown:
        raise ConfigurationError(
            f"[keymap]: unknown binding id(s) {', '.join(unknown)}; press ? in the console to "
            f"see the ids, e.g. {', '.join(sorted(known)[:3])}")
    for ident, keys in keymap.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigurationError(f"[keymap]: {ident} needs keys, e.g. \"ctrl+d\" or \"d,D\"")
    return dict(keymap)
