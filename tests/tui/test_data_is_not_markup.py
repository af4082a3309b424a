"""What partners and staff type is shown as typed: never read by the console as styling or
as a clickable action (an independent review hid words, crashed the console and planted a
click-to-quit with square brackets in a referral)."""

from __future__ import annotations

import html
import re

import pytest

from ffd_core.domain.contact import Referrer
from ffd_core.services import contacts, notes, ownership
from ffd_tui.screens.contact import ContactScreen
from tests.factories import child, new_contact
from tests.tui.conftest import SIZE, make_app, settle

pytestmark = pytest.mark.anyio

SAID = "Child said [dad hits mum with a belt] and [b]went[/b] quiet"
CLICK = "[@click=app.quit]Press here[/]"


def _screen_text(app) -> str:  # noqa: ANN001
    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    return "".join(html.unescape(re.sub("<[^>]+>", "", p)).replace("\xa0", " ") for p in parts)


async def test_brackets_in_a_referral_are_shown_as_typed_and_do_nothing(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(
        ctx.now(), children=(child("Maisie[/x]"),),
        referrer=Referrer(name="Tess [red]Teacher[/]", email="tess@hawthorn.sch.example"),
        answers={"what_happened": f"{SAID}. {CLICK}"}))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    notes.add_note(ctx, people["olivia"], receipt.contact_id, "[i]internal[/i] [/]")
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=(SIZE[0], 60)) as pilot:
        await settle(pilot)
        app.push_screen(ContactScreen(receipt.contact_id))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ContactScreen)
        shown = _screen_text(app)
        assert "Maisie[/x]" in shown
        assert "[dad hits mum with a belt]" in shown and "[b]went[/b]" in shown
        assert "[@click=app.quit]Press here[/]" in shown
        for _tab in range(3):  # thread, notes, history
            await pilot.press("]")
            await settle(pilot)
        assert app.is_running
        # A click where the planted action was shown runs nothing.
        await pilot.click(offset=(40, 25))
        await settle(pilot)
        assert app.is_running


async def test_a_hostile_sender_address_in_quarantine_is_shown_as_typed(ctx, people):
    """The envelope sender and subject of quarantined mail are the attacker's own words:
    in the list, the detail and the release dialog's title they stay literal."""
    from dataclasses import replace

    from ffd_core.services import intake
    from ffd_core.services.context import SYSTEM
    from ffd_tui.screens.dialogs import ReasonDialog
    from ffd_tui.screens.waiting_lists import QuarantineScreen
    from tests.connectors.mail_world import INTAKE, an_email, intake_settings

    ctx.settings = intake_settings(replace(ctx.settings))
    raw = an_email("Someone <someone@elsewhere.example>", subject=f"Urgent {CLICK} [b]now[/b]")
    intake.receive(ctx, SYSTEM, intake.Arrival("127.0.0.1", "[@click=app.quit]x[/]@x.example",
                                               (INTAKE,), raw, len(raw)))
    app = make_app(ctx, people["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("Q")
        await settle(pilot)
        assert isinstance(app.screen, QuarantineScreen)
        shown = _screen_text(app)
        assert CLICK in shown and "[b]now[/b]" in shown
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        assert "[@click=app.quit]x[/]@x.example" in _screen_text(app)
        await pilot.click(offset=(40, 12))
        await settle(pilot)
        assert app.is_running
