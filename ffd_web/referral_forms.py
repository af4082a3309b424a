"""Making a referral from the shared form definitions: the category first, then only the
pages it needs; every Continue saves the draft on the server; check your answers with
change links; documents; send. The form engine says what a page asks and what is wrong;
this module only turns it into HTML and back."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from ffd_core.clock import uk_local
from ffd_core.domain.access import Actor
from ffd_core.domain.vocab import ContactKind
from ffd_core.errors import InvalidInput
from ffd_core.forms import FormState, SubmissionInvalid, answers_from_fields, validate
from ffd_core.services import drafts, referrer_view
from ffd_web.documents import download
from ffd_web.rendering import SERVICE, page
from ffd_web.security import ctx_of, current_partner

MB = 1024 * 1024
CHOICE_LISTS = ("multi_choice", "checkbox")  # nothing is posted when every box is clear


@get("/home")
async def home(request: Request, partner: NamedDependency[Actor]) -> Template:
    ctx = ctx_of(request)
    referrals = await sync_to_thread(referrer_view.my_referrals, ctx, partner, 0, 200)
    rows = await sync_to_thread(drafts.list_drafts, ctx, partner)
    return page(request, "home.html", title=SERVICE, draft_count=len(rows),
                waiting=sum(1 for r in referrals.rows if r.waiting_for_you))


@post("/drafts/new")
async def new_draft(request: Request, partner: NamedDependency[Actor]) -> Redirect:
    form = await request.form()
    try:
        kind = ContactKind(form.get("kind"))
    except ValueError:
        raise InvalidInput("Say which form to start: a cause for concern or a request for "
                           "information. Go back to your home page and choose one.") from None
    key = await sync_to_thread(drafts.start, ctx_of(request), partner, kind)
    return Redirect(f"/drafts/{key}")


@get("/drafts")
async def draft_list(request: Request, partner: NamedDependency[Actor]) -> Template:
    ctx = ctx_of(request)
    rows = await sync_to_thread(drafts.list_drafts, ctx, partner)
    return page(request, "drafts.html", title="Your drafts", rows=rows,
                draft_days=ctx.settings.draft_days)


@post("/drafts/{key:str}/delete")
async def delete_draft(request: Request, partner: NamedDependency[Actor], key: FromPath[str]) -> Redirect:
    await sync_to_thread(drafts.delete_draft, ctx_of(request), partner, key)
    return Redirect("/drafts")


@get("/drafts/{key:str}")
async def resume(request: Request, partner: NamedDependency[Actor], key: FromPath[str]) -> Redirect:
    view = await sync_to_thread(drafts.open_draft, ctx_of(request), partner, key)
    state = _state(request, view.kind, view.answers)
    return Redirect(f"/drafts/{key}/{state.pages()[0].section_id}")


@get("/drafts/{key:str}/{section:str}")
async def form_page(request: Request, partner: NamedDependency[Actor], key: FromPath[str], section: FromPath[str],
                    return_to: FromQuery[str] = "") -> Template | Redirect:
    view = await sync_to_thread(drafts.open_draft, ctx_of(request), partner, key)
    return _render_page(request, view, section, return_to, errors=[], changes=view.changes)


@post("/drafts/{key:str}/{section:str}")
async def save_page(request: Request, partner: NamedDependency[Actor], key: FromPath[str], section: FromPath[str],
                    return_to: FromQuery[str] = "") -> Template | Redirect:
    ctx = ctx_of(request)
    view = await sync_to_thread(drafts.open_draft, ctx, partner, key)
    definition = ctx.config.form(view.kind)
    state = _state(request, view.kind, view.answers)
    shown = _find(state, section)
    if shown is None:
        return Redirect(f"/drafts/{key}")
    form = await request.form()
    fields = _posted(form, shown)
    answers = answers_from_fields(definition, fields, view.answers)
    action = str(form.get("action") or "continue")
    if action == "add" or action.startswith("remove:"):
        _change_items(definition, answers, section, action)
    await sync_to_thread(drafts.save, ctx, partner, key, answers)
    if action == "save":
        return Redirect("/drafts")
    if action != "continue":
        anchor = "" if action.startswith("remove:") else f"#item-{len(answers.get(section, [])) - 1}"
        return Redirect(f"/drafts/{key}/{section}{'?return_to=check' if return_to else ''}{anchor}")
    today = uk_local(ctx.now()).date()
    errors = validate(definition, answers, today, pages=[section])
    if errors:
        fresh = await sync_to_thread(drafts.open_draft, ctx, partner, key)
        return _render_page(request, fresh, section, return_to,
                            errors=[(e.field, e.message) for e in errors])
    if return_to == "check":
        return Redirect(f"/drafts/{key}/check")
    pages = [p.section_id for p in FormState(definition, answers, today).pages()]
    later = pages[pages.index(section) + 1:] if section in pages else []
    return Redirect(f"/drafts/{key}/{later[0]}" if later else f"/drafts/{key}/documents")


@get("/drafts/{key:str}/check")
async def check_answers(request: Request, partner: NamedDependency[Actor], key: FromPath[str]) -> Template:
    view = await sync_to_thread(drafts.open_draft, ctx_of(request), partner, key)
    return _render_check(request, view, [])


@post("/drafts/{key:str}/send")
async def send(request: Request, partner: NamedDependency[Actor], key: FromPath[str]) -> Template | Redirect:
    ctx = ctx_of(request)
    try:
        receipt = await sync_to_thread(drafts.send, ctx, partner, key)
    except SubmissionInvalid as invalid:
        view = await sync_to_thread(drafts.open_draft, ctx, partner, key)
        return _render_check(request, view, [
            (f"/drafts/{key}/{e.section_id}?return_to=check#{e.field}", e.message)
            for e in invalid.errors])
    return Redirect(f"/submissions/{receipt.reference}/confirmation")


@get("/drafts/{key:str}/documents")
async def documents(request: Request, partner: NamedDependency[Actor], key: FromPath[str]) -> Template:
    view = await sync_to_thread(drafts.open_draft, ctx_of(request), partner, key)
    return _render_documents(request, view, [])


@post("/drafts/{key:str}/documents")
async def upload(request: Request, partner: NamedDependency[Actor], key: FromPath[str]) -> Template | Redirect:
    ctx = ctx_of(request)
    form = await request.form()
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInput("Select a file")
        data = await file.read()
        await sync_to_thread(drafts.attach, ctx, partner, key, file.filename, data)
    except InvalidInput as error:
        view = await sync_to_thread(drafts.open_draft, ctx, partner, key)
        return _render_documents(request, view, [("file", str(error))])
    return Redirect(f"/drafts/{key}/documents")


@post("/drafts/{key:str}/documents/{document_id:int}/delete")
async def remove_document(request: Request, partner: NamedDependency[Actor], key: FromPath[str], document_id: FromPath[int]) -> Redirect:
    await sync_to_thread(drafts.remove_document, ctx_of(request), partner, key, document_id)
    return Redirect(f"/drafts/{key}/documents")


@get("/drafts/{key:str}/documents/{document_id:int}")
async def read_document(request: Request, partner: NamedDependency[Actor], key: FromPath[str], document_id: FromPath[int]) -> Response:
    name, media_type, data = await sync_to_thread(drafts.read_document, ctx_of(request), partner,
                                                  key, document_id)
    return download(name, media_type, data)


# ------------------------------------------------------------------------------ helpers


def _state(request: Request, kind: ContactKind, answers: dict[str, Any]) -> FormState:
    ctx = ctx_of(request)
    return FormState(ctx.config.form(kind), answers, uk_local(ctx.now()).date())


def _find(state: FormState, section: str):  # noqa: ANN202 - PageView | None
    return next((p for p in state.pages() if p.section_id == section), None)


def _posted(form: Any, shown: Any) -> dict[str, Any]:
    """Posted fields as the form engine reads them; a list of boxes with none ticked is an
    answer too (nothing is posted for it)."""
    fields: dict[str, Any] = {}
    for name in set(form.keys()):
        values = [v for v in form.getall(name) if isinstance(v, str)]
        fields[name] = values if len(values) > 1 else (values[0] if values else "")
    for item in shown.items:
        for q in item.questions:
            if q.type in CHOICE_LISTS and q.field not in fields:
                fields[q.field] = [] if q.type == "multi_choice" else None
    return fields


def _change_items(definition: Any, answers: dict[str, Any], section_id: str, action: str) -> None:
    section = definition.section(section_id)
    if section.repeat is None:
        return
    items = answers.setdefault(section_id, [])
    if action == "add" and len(items) < section.repeat.max:
        items.extend({} for _ in range(max(section.repeat.min, len(items) + 1) - len(items)))
    elif action.startswith("remove:") and action[7:].isdigit() and int(action[7:]) < len(items):
        del items[int(action[7:])]


def _render_page(request: Request, view: drafts.DraftView, section: str, return_to: str, *,
                 errors: list[tuple[str, str]], changes: tuple[str, ...] = ()) -> Template | Redirect:
    ctx = ctx_of(request)
    definition = ctx.config.form(view.kind)
    state = _state(request, view.kind, view.answers)
    pages = state.pages()
    shown = _find(state, section)
    if shown is None:  # a page the answers no longer show (the category changed)
        return Redirect(f"/drafts/{view.key}/{pages[0].section_id}")
    number = [p.section_id for p in pages].index(section) + 1
    back = (f"/drafts/{view.key}/check" if return_to == "check" else
            f"/drafts/{view.key}/{pages[number - 2].section_id}" if number > 1 else "/home")
    repeat = definition.section(section).repeat
    return page(request, "form_page.html", title=shown.title, errors=errors, key=view.key,
                page_view=shown, form_title=definition.title, number=number, total=len(pages),
                back=back, return_to="check" if return_to == "check" else "", changes=changes,
                item_noun=(repeat.item_label.lower() if repeat else ""))


def _render_check(request: Request, view: drafts.DraftView, errors: list[tuple[str, str]]) -> Template:
    from ffd_core.forms import answer_summary

    ctx = ctx_of(request)
    definition = ctx.config.form(view.kind)
    rows = answer_summary(definition, view.answers, uk_local(ctx.now()).date())
    sections: list[dict[str, Any]] = []
    for row in rows:
        if not sections or sections[-1]["id"] != row.section_id:
            sections.append({"id": row.section_id, "title": row.section_title, "rows": []})
        sections[-1]["rows"].append(row)
    return page(request, "check.html", title="Check your answers before sending", errors=errors,
                key=view.key, sections=sections, documents=view.documents, kind=view.kind.value)


def _render_documents(request: Request, view: drafts.DraftView, errors: list[tuple[str, str]]) -> Template:
    ctx = ctx_of(request)
    state = _state(request, view.kind, view.answers)
    return page(request, "documents.html", title="Add documents (optional)", errors=errors,
                key=view.key, documents=view.documents, max_mb=ctx.settings.attachment_max_mb,
                total_mb=ctx.settings.contact_attachments_max_mb,
                back=f"/drafts/{view.key}/{state.pages()[-1].section_id}")


def routers(settings: Any) -> list[Router]:
    """The pages, and the upload on its own router: its size limit is the council's."""
    partner = {"partner": Provide(current_partner, sync_to_thread=True)}
    return [
        Router(path="/", route_handlers=[
            home, new_draft, draft_list, delete_draft, resume, form_page, save_page,
            check_answers, send, remove_document, read_document,
        ], dependencies=partner, include_in_schema=False),
        Router(path="/", route_handlers=[documents, upload], dependencies=partner, include_in_schema=False,
               request_max_body_size=settings.attachment_max_mb * MB + MB),
    ]
