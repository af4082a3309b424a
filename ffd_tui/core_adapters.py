"""ADAPTER — to move into ffd_core. Small reads the console needs that ffd_core does not offer
as services yet. Each is a thin composition of existing core functions (no rule of its own);
see the console's issue note for the service each one should become.
"""

from __future__ import annotations

from typing import Any

from ffd_core.domain.vocab import Role
from ffd_core.services import directory, queue
from ffd_core.services.contact_view import ContactView
from ffd_core.services.context import Actor, Context


def username_of(ctx: Context, actor: Actor) -> str:
    """Wanted in core: ``Actor.username`` (the idle lock asks for the password again)."""
    for user in directory.list_users(ctx):
        if user.id == actor.user_id:
            return user.username
    return ""


def staff_to_allocate(ctx: Context) -> list[tuple[int, str]]:
    """Wanted in core: ``directory.allocatable_staff(ctx)``."""
    allowed = {Role.SCREENING_OFFICER.value, Role.SUPERVISOR.value}
    return [(u.id, u.display_name) for u in directory.list_users(ctx)
            if u.active and str(u.role) in allowed]


def contact_id_for_reference(ctx: Context, actor: Actor, reference: str) -> int | None:
    """Wanted in core: ``queue.find_by_reference(ctx, actor, reference)``."""
    reference = reference.strip()
    if not reference:
        return None
    page = queue.holding_area(ctx, actor, queue.View.ALL, text=reference, limit=20)
    for row in page.rows:
        if row.reference.lower() == reference.lower():
            return row.id
    return None


def queue_row(ctx: Context, actor: Actor, reference: str) -> queue.QueueRow | None:
    """Wanted in core: ``queue.rows_by_id(ctx, actor, ids)`` (version checks without a view)."""
    page = queue.holding_area(ctx, actor, queue.View.ALL, text=reference, limit=20)
    return next((r for r in page.rows if r.reference == reference), None)


def immediate_open(ctx: Context, actor: Actor, limit: int = 100) -> dict[int, str]:
    """Open priority-1 contacts (id -> reference). Wanted in core: ``queue.new_immediate_since
    (ctx, seq)`` so every console can raise the P1 alert from the change feed."""
    page = queue.holding_area(ctx, actor, queue.View.OPEN, sort="priority", limit=limit)
    return {r.id: r.reference for r in page.rows if r.priority == 1}


# ---------------------------------------------------------------- forms, guidance, templates
# These call ffd_core.services.forms and ctx.config; they only shape results for the screen.

def warm_up(ctx: Context) -> None:
    """Read the configuration once, off the UI thread, before a contact needs it."""
    _ = ctx.config


def answers_for(ctx: Context, view: ContactView) -> list[tuple[str, str, str]]:
    """(section heading, question, answer) in page order, from the form version used."""
    from ffd_core.services import forms

    rows = forms.answers_for(ctx, view)
    return [(f"{r.section_title}{' — ' + r.item_label if r.item_label else ''}", r.question,
             r.answer) for r in rows]


def guidance_for(ctx: Context, view: ContactView) -> tuple[str, list[tuple[str, list[tuple[str, str]]]]]:
    """(guidance url, [(level title, [(indicator id, text)])]) for the contact's category."""
    guidance = ctx.config.guidance
    shown = [(f"{level.number}. {level.title}", [(i.id, i.text) for i in found])
             for level, found in guidance.for_category(view.category)]
    return guidance.url(), shown


def suggestion_for(ctx: Context, view: ContactView) -> tuple[int, list[str]]:
    from ffd_core.services import forms

    suggestion = forms.suggestion_for(ctx, view)
    return int(suggestion.priority), list(suggestion.reasons)


def template_choices(ctx: Context, prefix: str) -> list[tuple[str, str]]:
    """(template id, a short name) of the reply templates whose id starts with ``prefix``."""
    return [(tid, (tid.split(".", 1)[1] if "." in tid else tid).replace("_", " ").capitalize())
            for tid in ctx.config.templates.templates if tid.startswith(prefix)]


def render_template(ctx: Context, template_id: str, view: ContactView, **extra: Any) -> str:
    from ffd_core.services import forms

    try:
        return forms.render_reply(ctx, view, template_id, **extra).text
    except Exception:  # noqa: BLE001 - a template needing a fact the console cannot give yet
        return ""
