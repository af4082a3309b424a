"""Your referrals: each with its status as a referrer sees it, the messages from the front
door, a form to answer a request for more information (text and documents), a printable
page and a copy to download for the referrer's records."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from ffd_core.domain.access import Actor
from ffd_core.errors import InvalidInput
from ffd_core.services import partner_contacts, referrer_view
from ffd_core.services.forms import answers_for
from ffd_web.documents import download
from ffd_web.rendering import page
from ffd_web.security import ctx_of, session_data, current_partner

MB = 1024 * 1024
PAGE = 50
LAST_PAGE = 1_000_000  # 50 million referrals: any page past it is a mistyped address


@get("/submissions")
async def submissions(request: Request, partner: NamedDependency[Actor], page_number: FromQuery[int] = 1) -> Template:
    number = max(1, page_number)
    if number > LAST_PAGE:  # its offset would not fit the database's integers
        raise InvalidInput("There is no such page of your referrals. Go to the first page.")
    result = await sync_to_thread(referrer_view.my_referrals, ctx_of(request), partner,
                                  (number - 1) * PAGE, PAGE)
    return page(request, "submissions.html", title="Your referrals", rows=result.rows,
                total=result.total, page_number=number,
                pages=max(1, (result.total + PAGE - 1) // PAGE))


@get("/submissions/{reference:str}")
async def submission(request: Request, partner: NamedDependency[Actor], reference: FromPath[str]) -> Template:
    return await _render(request, partner, reference, "submission.html", [])


@get("/submissions/{reference:str}/confirmation")
async def confirmation(request: Request, partner: NamedDependency[Actor], reference: FromPath[str]) -> Template:
    return await _render(request, partner, reference, "confirmation.html", [])


@get("/submissions/{reference:str}/copy")
async def copy(request: Request, partner: NamedDependency[Actor], reference: FromPath[str]) -> Response:
    ctx = ctx_of(request)
    view = await sync_to_thread(partner_contacts.referral, ctx, partner, reference)
    text = await sync_to_thread(partner_contacts.record_copy, ctx, view)
    return download(f"{view.reference}.txt", "text/plain; charset=utf-8", text.encode("utf-8"))


@post("/submissions/{reference:str}/reply")
async def reply(request: Request, partner: NamedDependency[Actor], reference: FromPath[str]) -> Template | Redirect:
    ctx = ctx_of(request)
    form = await request.form()
    text = form.get("message") if isinstance(form.get("message"), str) else ""
    uploads = [partner_contacts.Upload(f.filename, await f.read())
               for f in form.getall("files", []) if isinstance(f, UploadFile) and f.filename]
    try:
        if not text.strip():
            raise InvalidInput("Enter your answer")
        await sync_to_thread(partner_contacts.answer, ctx, partner, reference, text, uploads)
    except InvalidInput as error:
        field = "message" if "answer" in str(error) else "files"
        return await _render(request, partner, reference, "submission.html", [(field, str(error))],
                             typed=text)
    session_data(request)["notice"] = "Your answer has been sent to the front door."
    return Redirect(f"/submissions/{reference}")


@get("/submissions/{reference:str}/documents/{attachment_id:int}")
async def document(request: Request, partner: NamedDependency[Actor], reference: FromPath[str], attachment_id: FromPath[int]) -> Response:
    name, media_type, data = await sync_to_thread(partner_contacts.document, ctx_of(request),
                                                  partner, reference, attachment_id)
    return download(name, media_type, data)


async def _render(request: Request, partner: Actor, reference: str, template: str,
                  errors: list[tuple[str, str]], typed: str = "") -> Template:
    ctx = ctx_of(request)
    view = await sync_to_thread(partner_contacts.referral, ctx, partner, reference)
    rows = await sync_to_thread(answers_for, ctx, view)
    sections: list[dict[str, Any]] = []
    for row in rows:
        heading = " – ".join(filter(None, [row.section_title, row.item_label]))
        if not sections or sections[-1]["title"] != heading:
            sections.append({"title": heading, "rows": []})
        sections[-1]["rows"].append(row)
    notice = session_data(request).pop("notice", None)
    title = (f"{'Referral' if view.kind == 'cause_for_concern' else 'Request'} sent"
             if template == "confirmation.html" else f"Referral {view.reference}")
    return page(request, template, title=title, errors=errors, view=view, sections=sections,
                typed=typed, banner=notice, banner_title="Success" if notice else None,
                max_mb=ctx.settings.attachment_max_mb)


def routers(settings: Any) -> list[Router]:
    partner = {"partner": Provide(current_partner, sync_to_thread=True)}
    return [
        Router(path="/", route_handlers=[submissions, submission, confirmation, copy, document],
               dependencies=partner, include_in_schema=False),
        Router(path="/", route_handlers=[reply], dependencies=partner, include_in_schema=False,
               request_max_body_size=settings.contact_attachments_max_mb * MB + MB),
    ]
