"""Console test helpers: a store with a few contacts, an app on it, and waiting for workers
(never for wall time beyond what the flow itself needs)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from ffd_core.domain.vocab import Priority
from ffd_core.services import contacts
from ffd_core.services.context import SYSTEM
from ffd_tui.app import FrontDoorApp
from ffd_tui.tokens import MemoryTokens
from tests.conftest import START, WAIT_CEILING
from tests.factories import child, new_contact

SIZE = (140, 40)


@pytest.fixture(params=["sqlite"])
def backend(request) -> str:
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    return request.param


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TEXTUAL_THEME", "COLORTERM", "TEXTUAL"):
        monkeypatch.delenv(name, raising=False)


CHILDREN = [
    ("Maisie", "Thompson", "physical_abuse", Priority.STANDARD, 5),
    ("Leo", "Hart", "neglect", Priority.HIGH, 30),
    ("Amira", "Khan", "domestic_abuse", Priority.STANDARD, 60),
    ("Jack", "Price", "emotional_abuse", Priority.LOW, 120),
    ("Ruby", "Wells", "neglect", Priority.STANDARD, 26 * 60),
]


@pytest.fixture
def queue_of_five(ctx):
    """Five contacts received this morning and yesterday (one breached), all unallocated."""
    receipts = []
    for given, family, category, priority, minutes_ago in CHILDREN:
        receipts.append(contacts.submit(ctx, SYSTEM, new_contact(
            START - timedelta(minutes=minutes_ago), category=category, priority=priority,
            children=(child(given, family),))))
    return receipts


def make_app(ctx, actor=None, **kwargs) -> FrontDoorApp:
    kwargs.setdefault("tokens", MemoryTokens())
    kwargs.setdefault("poll_interval", 0.2)
    return FrontDoorApp(ctx, actor, **kwargs)


async def settle(pilot) -> None:
    """Wait until every store worker but the live poller has finished, and the screen caught up."""
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_CEILING
    while True:
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "live" and w.is_running]
        if not busy:
            await pilot.pause()
            if not [w for w in app.workers if w.group != "live" and w.is_running]:
                return
        if loop.time() > deadline:
            raise AssertionError(f"workers still running after {WAIT_CEILING:g} s: {busy}")
        await asyncio.sleep(0.01)


async def until(pilot, condition) -> None:
    """Wait for ``condition()`` to hold."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_CEILING
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {WAIT_CEILING:g} s")
        await asyncio.sleep(0.02)
        await pilot.pause()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if ch == " " else ch for ch in text])


def status_of(ctx, actor, contact_id: int) -> str:
    from ffd_core.services import queue

    page = queue.holding_area(ctx, actor, queue.View.ALL, limit=500)
    return next(r.status for r in page.rows if r.id == contact_id)


def row_of(ctx, actor, contact_id: int):
    from ffd_core.services import queue

    page = queue.holding_area(ctx, actor, queue.View.ALL, limit=500)
    return next(r for r in page.rows if r.id == contact_id)


def screen_text(app) -> str:  # noqa: ANN001
    """Every character on the screen now, as one string (from the SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    return "".join(html.unescape(re.sub("<[^>]+>", "", p)).replace("\xa0", " ") for p in parts)
