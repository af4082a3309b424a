"""The JSON API for partner systems (a police force's case system, another council).

``POST /api/v1/contacts`` takes the same answers as the web form, validated against the
same form definitions; every problem comes back in one 422 naming its field path
(``children[0].dob``). An ``Idempotency-Key`` makes a retry safe: the same key and body
return the first reference and create nothing; the same key with another body is a 422.
``GET /api/v1/contacts/{reference}`` shows the status and messages to the agency whose
system submitted it, and to no one else (any other reference is a 404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Request, Router, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, PathParameter
from litestar.response import Response

from ffd_core.domain.access import Actor
from ffd_core.domain.vocab import Channel, ContactKind
from ffd_core.errors import IdempotencyConflict, PermissionDenied
from ffd_core.forms import SubmissionInvalid
from ffd_core.services import api_keys, partner_contacts
from ffd_core.services.forms import Intake, submit_form
from ffd_web.security import ctx_of


@dataclass
class ContactIn:
    """A contact from a partner system: which form, and the answers keyed as the form file
    names them (repeating sections are lists of objects, dates are YYYY-MM-DD)."""

    form: Literal["cause_for_concern", "request_for_information"]
    answers: dict[str, Any]


@dataclass
class Receipt:
    reference: str
    status: str
    status_label: str
    received_at: datetime
    duplicate: bool  # true when an Idempotency-Key retry found the first submission


@dataclass
class FieldProblem:
    field: str  # e.g. "children[0].dob"
    message: str


@dataclass
class Problem:
    status: int
    detail: str
    errors: list[FieldProblem] = field(default_factory=list)


@dataclass
class ChildOutcome:
    name: str
    outcome: str | None


@dataclass
class MessageOut:
    at: datetime
    from_front_door: bool
    body: str


@dataclass
class ContactStatus:
    reference: str
    kind: str
    status: str
    status_label: str
    received_at: datetime
    children: list[ChildOutcome]
    messages: list[MessageOut]


def problem(status: int, detail: str, errors: list[FieldProblem] | None = None) -> Response:
    return Response(content=Problem(status, detail, errors or []), status_code=status,
                    media_type="application/json")


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description)


PROBLEMS = {
    400: _spec("The body is not JSON of the documented shape"),
    401: _spec("The API key is missing, wrong or revoked"),
    413: _spec("The body is larger than 1 MB"),
    429: _spec("Too many requests from this address; wait a minute"),
}


def key_actor(request: Request) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise NotAuthorizedException("send the agency's API key as Authorization: Bearer <key>")
    try:
        return api_keys.actor_for_key(ctx_of(request), presented.strip())
    except PermissionDenied as error:
        raise NotAuthorizedException(str(error)) from None


@post("/contacts", status_code=201, security=[{"apiKey": []}],
      responses={200: ResponseSpec(data_container=Receipt,
                                   description="A retry with the same Idempotency-Key and body"),
                 422: _spec("Answers that need attention (each field path named), or an "
                            "Idempotency-Key used before with a different body"),
                 **PROBLEMS})
async def submit_contact(
    request: Request, system: NamedDependency[Actor], data: JSONBody[ContactIn],
    idempotency_key: Annotated[str | None, HeaderParameter(
        name="Idempotency-Key", min_length=1, max_length=120, pattern=r"^[!-~]+$",
        description="Your own unique id for this contact; a retry with it is stored once",
        required=False)] = None,
) -> Response:
    """Submit a cause for concern or a request for information."""
    ctx = ctx_of(request)
    try:
        receipt = await sync_to_thread(
            submit_form, ctx, system, ContactKind(data.form), data.answers,
            Intake(channel=Channel.API, idempotency_key=idempotency_key))
    except SubmissionInvalid as invalid:
        return problem(422, f"{len(invalid.errors)} answer(s) need attention",
                       [FieldProblem(e.field, e.message) for e in invalid.errors])
    except IdempotencyConflict as conflict:
        return problem(422, str(conflict))
    view = await sync_to_thread(partner_contacts.referral, ctx, system, receipt.reference)
    return Response(content=Receipt(view.reference, view.status.value, view.status_label,
                                    view.received_at, receipt.duplicate),
                    status_code=200 if receipt.duplicate else 201, media_type="application/json")


@get("/contacts/{reference:str}", security=[{"apiKey": []}],
     responses={404: _spec("No contact with that reference that this agency's systems sent"),
                **PROBLEMS})
async def contact_status(request: Request, system: NamedDependency[Actor],
                         reference: Annotated[str, PathParameter(max_length=40)]) -> ContactStatus:
    """The status of a contact this agency's systems submitted, and the messages about it."""
    view = await sync_to_thread(partner_contacts.referral, ctx_of(request), system, reference)
    return ContactStatus(
        reference=view.reference, kind=view.kind, status=view.status.value,
        status_label=view.status_label, received_at=view.received_at,
        children=[ChildOutcome(c.name, c.outcome) for c in view.children],
        messages=[MessageOut(m.at, m.from_front_door, m.body) for m in view.messages])


router = Router(path="/api/v1", route_handlers=[submit_contact, contact_status],
                dependencies={"system": Provide(key_actor, sync_to_thread=True)}, tags=["contacts"])
