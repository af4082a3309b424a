"""Presenters: shape what ffd_core's services return into what a screen shows (tuples of
labels and text). No rule lives here: every fact comes from ffd_core."""

from __future__ import annotations

from ffd_core.services.contact_view import ContactView
from ffd_core.services.context import Context

# ---------------------------------------------------------------- forms and guidance
# These call ffd_core.services.forms and ctx.config; they only shape results for the screen.
# (Reply templates come ready to show from ffd_core.services.replies.)

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
