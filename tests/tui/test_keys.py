"""One registry of keys: every key the console answers is a binding with an id, found by
walking the console's classes, shown under ? and remappable from the config file."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import OptionList, TextArea

from ffd_core.errors import ConfigurationError
from ffd_core.settings import load_settings
from ffd_tui.app import FrontDoorApp
from ffd_tui.keymap import binding_ids, check_keymap, console_classes, own_bindings
from ffd_tui.screens.contact import ContactScreen
from ffd_tui.screens.dialogs import DecideDialog
from ffd_tui.screens.help import HelpScreen, key_rows
from ffd_tui.screens.holding import HoldingScreen
from tests.tui.conftest import SIZE, make_app, settle, type_text

pytestmark = pytest.mark.anyio
README = Path(__file__).resolve().parents[2] / "README.md"
KEY_HANDLERS = re.compile(r"^_?on_key$|^key_")


def test_the_registry_is_every_console_class_and_every_binding_has_one_id():
    names = {cls.__name__ for cls in console_classes()}
    assert {"HoldingScreen", "ContactScreen", "DecideDialog", "ReasonDialog", "QueueTable",
            "HelpScreen", "OutboxScreen", "ReviewScreen", "PersonSearchScreen"} <= names
    declared = [b for cls in console_classes() for b in cls.__dict__.get("BINDINGS", [])]
    assert all(isinstance(b, Binding) and b.id and b.description for b in declared), declared
    twice = [ident for ident, n in Counter(b.id for b in declared).items() if n > 1]
    assert twice == []
    assert set(binding_ids()) == {b.id for b in declared}
    assert {"decide.no_further_action", "decide.template_1", "decide.next_child",
            "holding.take_next", "contact.decide"} <= set(binding_ids())
    for ident in binding_ids():  # each can be remapped
        assert check_keymap({ident: "f12"}) == {ident: "f12"}


@pytest.mark.parametrize("cls", console_classes(), ids=lambda c: c.__name__)
def test_each_class_answers_keys_only_through_its_bindings(cls):
    """A key handled in code (on_key, key_x) would work but never show under ? nor be
    remappable; only a widget that takes typed characters as text may have one."""
    handlers = [name for name in vars(cls) if KEY_HANDLERS.match(name)]
    takes_text = "check_consume_key" in vars(cls)
    assert not handlers or takes_text, f"{cls.__name__} handles keys in {handlers}"
    for binding in own_bindings(cls):
        action = binding.action.split("(", 1)[0]
        owner = FrontDoorApp if action.startswith("app.") else cls
        assert callable(getattr(owner, f"action_{action.removeprefix('app.')}", None)), (
            f"{binding.id}: no action_{action}")


def test_a_typo_names_the_nearest_id_and_a_bare_action_names_its_screens():
    with pytest.raises(ConfigurationError, match="did you mean 'holding.take_next'"):
        check_keymap({"holding.take_nxt": "n"})
    with pytest.raises(ConfigurationError,
                       match="'contact.take_next' or 'holding.take_next'"):
        check_keymap({"take_next": "n"})
    with pytest.raises(ConfigurationError, match="needs keys"):
        check_keymap({"holding.take_next": ""})


def test_two_keys_of_one_screen_made_the_same_are_refused():
    with pytest.raises(ConfigurationError,
                       match="holding.take_next and holding.claim would both be 'c'"):
        check_keymap({"holding.take_next": "c"})
    # Swapping two keys is fine.
    assert check_keymap({"holding.take_next": "c", "holding.claim": "t"})


async def test_the_readmes_keymap_example_works_as_shown(ctx, people, queue_of_five, tmp_path):
    block = re.search(r"```toml\n(\[keymap\]\n.*?)```", README.read_text(), re.S)
    assert block, "the README's console section shows a [keymap] example"
    config = tmp_path / "ffd.toml"
    config.write_text(block.group(1))
    keymap = load_settings(config).keymap
    assert keymap == {"holding.take_next": "n"}  # what the test below presses
    app = make_app(ctx, people["olivia"], keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")  # its old key does nothing now
        await settle(pilot)
        assert isinstance(app.screen, HoldingScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)


async def test_the_decide_dialogs_letters_and_digits_show_under_help(ctx, people,
                                                                    queue_of_five):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DecideDialog)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = {ident: (keys, does) for keys, does, ident in key_rows(app.screen.beneath)}
        assert rows["decide.no_further_action"] == ("n", "No further action")
        assert rows["decide.early_help"][0] == "e"
        assert rows["decide.template_1"] == ("1", "Reply template 1")
        assert "decide.template_5" in rows and "decide.template_6" not in rows  # 4 + NFA's own
        assert "decide.information_declined" not in rows  # not an outcome of a concern
        assert "decide.next_child" not in rows  # one child
        assert {"dialog.submit", "dialog.cancel"} <= set(rows)


async def test_the_decide_dialogs_keys_can_be_remapped(ctx, people, queue_of_five):
    app = make_app(ctx, people["olivia"],
                   keymap={"decide.early_help": "h", "decide.template_1": "0"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("d", "h")
        dialog = app.screen
        assert isinstance(dialog, DecideDialog)
        outcomes = dialog.query_one("#outcome", OptionList)
        assert dialog.outcomes[outcomes.highlighted].value == "early_help"
        assert str(outcomes.get_option_at_index(outcomes.highlighted).prompt).startswith("h ")
        await pilot.press("0")
        assert dialog.query_one("#rationale", TextArea).text == "Below threshold: "


async def test_typing_on_the_template_list_writes_the_rationale_not_an_outcome(
        ctx, people, queue_of_five):
    """After the outcome letter the officer may just type: "referred..." starts with r, the
    referral's letter, and must not change the outcome."""
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("d", "n")
        await type_text(pilot, "referred elsewhere")
        dialog = app.screen
        outcomes = dialog.query_one("#outcome", OptionList)
        assert dialog.outcomes[outcomes.highlighted].value == "no_further_action"
        assert dialog.query_one("#rationale", TextArea).text == "referred elsewhere"
