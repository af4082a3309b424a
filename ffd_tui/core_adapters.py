"""ADAPTER — to move into ffd_core. Small reads the console needs that ffd_core does not offer
as services yet. Each is a thin composition of existing core functions (no rule of its own);
see the console's issue note for the service each one should become.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ffd_core.clock import format_uk_date, uk_local
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

def _config():  # noqa: ANN202
    try:
        from ffd_core.forms import default_config

        return default_config()
    except Exception:  # noqa: BLE001 - the configuration is still being built; show answers plainly
        return None


def warm_up() -> None:
    _config()


def question_labels(view: ContactView) -> dict[str, str]:
    """Labels for the answers, from the form they were made with (when the store's version is
    the bundled one). Wanted in core: ``forms.definition_for(ctx, form_id, version, hash)``."""
    config = _config()
    form_id, version, _hash = view.form
    if config is None or not form_id:
        return {}
    try:
        definition = config.form_by_id(form_id)
    except KeyError:
        return {}
    if version is not None and str(definition.version) != str(version):
        return {}
    return {question.id: question.label for _section, question in definition.questions()}


def guidance_for(view: ContactView) -> tuple[str, list[tuple[str, list[tuple[str, str]]]]]:
    """(guidance url, [(level title, [(indicator id, text)])]) for the contact's category."""
    config = _config()
    if config is None:
        return "", []
    guidance = config.guidance
    shown = [(f"{level.number}. {level.title}", [(i.id, i.text) for i in found])
             for level, found in guidance.for_category(view.category)]
    return guidance.url(), shown


def suggestion_for(ctx: Context, view: ContactView) -> tuple[int, list[str]] | None:
    """The suggested priority with its reasons. Wanted in core: ``priority_suggestion(ctx,
    contact_id)`` gathering facts (police involvement, recent contacts) from the store."""
    config = _config()
    if config is None:
        return None
    try:
        from ffd_core.priority import PriorityFacts, suggest_priority

        facts = PriorityFacts(
            today=uk_local(ctx.now()).date(), answers=view.answers, category=view.category or None,
            child_dates_of_birth=[c.date_of_birth or c.expected_due_date for c in view.children],
        )
        suggestion = suggest_priority(config.priority_rules, facts)
    except Exception:  # noqa: BLE001
        return None
    return int(suggestion.priority), list(suggestion.reasons)


def template_choices(prefix: str) -> list[tuple[str, str]]:
    """(template id, subject) of the reply templates whose id starts with ``prefix``."""
    config = _config()
    if config is None:
        return []
    return [(tid, (tid.split(".", 1)[1] if "." in tid else tid).replace("_", " ").capitalize())
            for tid in config.templates.templates if tid.startswith(prefix)]


def render_template(template_id: str, view: ContactView, **extra: Any) -> str:
    """The text of a reply template filled for this contact. Wanted in core:
    ``templates.render_for_contact(ctx, contact_id, template_id, **extra)``."""
    config = _config()
    if config is None:
        return ""
    facts: dict[str, Any] = {
        "reference": view.reference,
        "child_names": " and ".join(c.name for c in view.children),
        "referrer_name": view.referrer.get("name") or "colleague",
        "questions": [], "respond_by": "", "where_to_go": "", "outcome": "",
    }
    facts.update(extra)
    try:
        return config.render(template_id, facts).text
    except Exception:  # noqa: BLE001 - a template asking for a fact we do not have yet
        return ""


def respond_by(at: datetime) -> str:
    return format_uk_date(at)
