"""One registry of keys. Every binding has an id ("holding.take_next", "contact.decide"...); a
council or officer remaps keys with a ``[keymap]`` table in the config file::

    [keymap]
    "holding.take_next" = "n"

The ids are collected by walking the console's screen, modal and widget classes, so a new
screen's keys can be remapped (and show under ``?``) as soon as its class exists.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from ffd_core.domain.vocab import Priority
from ffd_core.errors import ConfigurationError

# Where the console's screens, modals and widgets live; every module is imported so that
# none is missed because nothing imported it yet.
PACKAGES = ("ffd_tui.screens", "ffd_tui.widgets")


def priority_bindings(screen: str) -> list[Binding]:
    """1 to 4 set the priority (the reason is asked next), on any screen that offers it."""
    return [Binding(str(p.value), f"priority({p.value})", f"Priority {p.value} ({p.label})",
                    show=False, id=f"{screen}.priority_{p.value}") for p in Priority]


@cache
def console_classes() -> tuple[type[DOMNode], ...]:
    """The app and every screen, modal and widget class the console defines."""
    from ffd_tui.app import FrontDoorApp

    for package in PACKAGES:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__,
                                            f"{package}."):
            importlib.import_module(module.name)
    found: set[type[DOMNode]] = {FrontDoorApp}
    stack: list[type] = [DOMNode]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.startswith("ffd_tui."):
                found.add(subclass)
    return tuple(sorted(found, key=lambda c: (c.__module__, c.__qualname__)))


def own_bindings(cls: type[DOMNode]) -> list[Binding]:
    """The bindings a class declares itself (not those it inherits)."""
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


def bindings_of(cls: type[DOMNode]) -> list[Binding]:
    """Every binding an instance of ``cls`` answers: its own and its console base classes'."""
    return [b for base in reversed(cls.__mro__) if base in console_classes()
            for b in own_bindings(base)]


def binding_ids() -> dict[str, str]:
    """Every remappable binding id and its default keys."""
    return {b.id: b.key for cls in console_classes() for b in own_bindings(cls) if b.id}


def check_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """The keymap as Textual wants it, or a ConfigurationError naming the fix: an unknown id
    (with the nearest one), empty keys, or two keys of one screen made the same."""
    known = binding_ids()
    unknown = [ident for ident in keymap if ident not in known]
    if unknown:
        raise ConfigurationError("[keymap]: " + "; ".join(_unknown(i, known) for i in unknown))
    normal = App._normalize_keymap(  # noqa: SLF001 - Textual's own spelling of keys ("?")
        {ident: keys for ident, keys in keymap.items() if isinstance(keys, str)})
    for ident in keymap:
        if not normal.get(ident, "").strip(","):
            raise ConfigurationError(f"[keymap]: {ident} needs keys, e.g. \"ctrl+d\" or \"d,D\"")
    _refuse_clashes(normal)
    return dict(keymap)


def _unknown(ident: str, known: Mapping[str, str]) -> str:
    same_action = sorted(k for k in known if k.split(".", 1)[-1] == ident)
    if same_action:
        return (f"no binding id {ident}; ids name the screen too: "
                f"{' or '.join(repr(k) for k in same_action)} (quote them in the file)")
    nearest = difflib.get_close_matches(ident, list(known), n=1, cutoff=0.6)
    hint = f"did you mean {nearest[0]!r}?" if nearest else "press ? in the console to see the ids"
    return f"unknown binding id {ident!r}: {hint}"


def _refuse_clashes(keymap: Mapping[str, str]) -> None:
    """Two bindings of one screen on one key would leave one of them dead."""
    for cls in console_classes():
        holder: dict[str, str] = {}
        for binding in bindings_of(cls):
            keys = keymap.get(binding.id, "") or App._normalize_keymap(  # noqa: SLF001
                {"": binding.key})[""]
            for key in filter(None, (k.strip() for k in keys.split(","))):
                other = holder.setdefault(key, binding.id or "")
                if other != binding.id and (binding.id in keymap or other in keymap):
                    moved, stays = sorted((binding.id or "", other), key=lambda i: i not in keymap)
                    raise ConfigurationError(
                        f"[keymap]: {moved} and {stays} would both be {key!r} on "
                        f"{cls.__name__}; give one of them another key")
