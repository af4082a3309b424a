"""Sign in, remember me, idle lock, help, the command palette and the keymap."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Static

from ffd_core.errors import ConfigurationError, PermissionDenied
from ffd_core.services import sessions
from ffd_core.services.directory import LOCKOUT_FAILURES
from ffd_tui.keymap import binding_ids, check_keymap
from ffd_tui.screens.contact import ContactScreen
from ffd_tui.screens.help import HelpScreen, key_rows
from ffd_tui.screens.holding import HoldingScreen
from ffd_tui.screens.signin import LockScreen, SignInScreen
from ffd_tui.tokens import MemoryTokens
from tests.conftest import PASSWORD
from tests.tui.conftest import SIZE, make_app, screen_text, settle, type_text, until

pytestmark = pytest.mark.anyio


async def test_sign_in_and_remember_me(ctx, people, queue_of_five):
    tokens = MemoryTokens()
    app = make_app(ctx, tokens=tokens)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await type_text(pilot, "olivia")
        await pilot.press("enter")
        await type_text(pilot, "wrong password")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert str(app.screen.query_one("#signin-error", Static).render())
        await type_text(pilot, PASSWORD)
        await pilot.press("tab", "space", "shift+tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HoldingScreen) and app.actor == people["olivia"]
        await until(pilot, lambda: tokens.token is not None)
    # Next time the token in the keyring signs the officer straight in.
    again = make_app(ctx, tokens=tokens)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, HoldingScreen) and again.actor == people["olivia"]
        token = tokens.token
        await pilot.press("ctrl+o")  # sign out: forget this computer
        await settle(pilot)
    assert tokens.token is None
    with pytest.raises(PermissionDenied):
        sessions.sign_in_with_token(ctx, token)


async def test_idle_lock_hides_everything_until_the_password(ctx, people, clock, queue_of_five):
    app = make_app(ctx, people["olivia"], lock_check_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        clock.advance(minutes=ctx.settings.idle_lock_minutes + 1)
        await until(pilot, lambda: isinstance(app.screen, LockScreen))
        assert "locked after" in screen_text(app)
        await pilot.press("t", "question_mark", "ctrl+p")  # nothing gets through the lock
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, "not it")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen) and not app.locked


async def test_help_lists_the_keys_that_work_here(ctx, people, queue_of_five):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = key_rows(app.screen.beneath)
        assert ("t", "Take next", "holding.take_next") in rows
        assert not any(ident == "holding.reallocate" for *_x, ident in rows)
        await pilot.press("escape")
        assert isinstance(app.screen, HoldingScreen)


async def test_the_command_palette_offers_every_action(ctx, people, queue_of_five):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Take next", "Claim", "Filter", "Mine", "Phone contact", "Lock the console"} <= titles
        assert "Reallocate" not in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "take next")
        await settle(pilot)  # the palette's search runs in a worker
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("down", "enter")
        await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, ContactScreen))


async def test_keys_are_remapped_from_the_keymap(ctx, people, queue_of_five):
    app = make_app(ctx, people["olivia"], keymap={"holding.take_next": "n"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)


def test_every_binding_has_an_id_and_bad_keymaps_are_refused():
    ids = binding_ids()
    assert {"holding.take_next", "contact.decide", "contact.priority_3", "app.help"} <= set(ids)
    with pytest.raises(ConfigurationError, match="unknown binding id"):
        check_keymap({"holding.take_nxt": "n"})
    with pytest.raises(ConfigurationError, match="needs keys"):
        check_keymap({"holding.take_next": ""})


async def test_a_partner_cannot_open_the_console(ctx, people):
    """A partner's password is right, but the console is for the front door's staff:
    nothing of the holding area is shown and the sign-in says where to go instead."""
    from ffd_tui.screens.holding import HoldingScreen
    from ffd_tui.screens.signin import SignInScreen

    app = make_app(ctx, people["teacher"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor is None
        assert not any(isinstance(s, HoldingScreen) for s in app.screen_stack)
        assert "web endpoint" in str(app.screen.query_one("#signin-error").render())


async def test_a_lock_by_hand_says_so_and_a_wrong_password_is_called_that(ctx, people,
                                                                          queue_of_five):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LockScreen))
        said = screen_text(app)
        assert "You locked the console" in said and "without use" not in said
        await type_text(pilot, "not it")
        await pilot.press("enter")
        await settle(pilot)
        error = str(app.screen.query_one("#lock-error", Static).render())
        assert error == "that password is not right"
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert not app.locked


def test_unlock_keeps_the_sign_in_throttle(ctx, people):
    for _attempt in range(LOCKOUT_FAILURES):
        with pytest.raises(PermissionDenied, match="password is not right"):
            sessions.unlock(ctx, people["olivia"], "not it")
    with pytest.raises(PermissionDenied, match="too many failed sign-ins"):
        sessions.unlock(ctx, people["olivia"], PASSWORD)
