"""What any request may carry, checked before a route runs, so that malformed input is a
clear 400 (or 404) instead of a failure deep in the store: a NUL that PostgreSQL cannot
keep, a number in the address too large for the database, a JSON body nested so deep that
decoding it runs out of stack.

Which characters no text may hold is decided in ``ffd_core.domain.text``; the answers of
a form are checked again, field by field, by the form's own validation (the API's 422).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType

from ffd_core.domain.text import stray_character
from ffd_core.errors import InvalidInput, NotFound

# Deepest JSON body taken: a contact's answers are five levels deep (body, answers,
# children, a child, an answer); a partner system never needs more than a few.
MAX_JSON_DEPTH = 32
# The store's ids are signed 64-bit integers on both backends.
LARGEST_ID = 2**63 - 1
FORMS = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)


async def refuse_malformed(request: Request) -> None:
    """A Litestar before_request hook: raises InvalidInput (400) or NotFound (404)."""
    for name, value in request.path_params.items():
        if isinstance(value, int) and not 0 <= value <= LARGEST_ID:
            raise NotFound("There is nothing at this address")
        if isinstance(value, str):
            _text("the web address", value)
    for name, value in request.query_params.multi_items():
        _text(name, name)
        _text(name, value)
    content_type, _options = request.content_type
    if content_type in FORMS:
        for name, value in (await request.form()).multi_items():
            _text(name, name)
            _text(name, value.filename if isinstance(value, UploadFile) else value)
    elif content_type == RequestEncodingType.JSON:
        _json_depth(await request.body())


def _text(name: str, value: Any) -> None:
    stray = stray_character(value) if isinstance(value, str) else None
    if stray:  # the position, never the value: it may be personal data
        raise InvalidInput(f"What was sent as ‘{_printable(name)}’ contains {stray}. Go back, "
                           "type it again without it, and send it again.")


def _printable(name: str) -> str:
    return "".join(c if stray_character(c) is None else "?" for c in name)[:80]


def _json_depth(body: bytes) -> None:
    """Refuse a body nested deeper than MAX_JSON_DEPTH. Malformed JSON is left to the
    route's own parsing (its usual 400)."""
    too_deep = InvalidInput(f"The body is nested more than {MAX_JSON_DEPTH} levels deep; "
                            "send the answers as documented (see /api/schema/openapi.json)")
    try:
        decoded = msgspec.json.decode(body)
    except RecursionError:  # deeper than the decoder's own stack allows
        raise too_deep from None
    except msgspec.DecodeError:
        return
    if max(_depths(decoded), default=0) > MAX_JSON_DEPTH:
        raise too_deep


def _depths(value: Any) -> Iterator[int]:
    """The depth of every container in ``value``, walked without recursion."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            current = list(current.values())
        if isinstance(current, list):
            yield depth
            if depth > MAX_JSON_DEPTH:
                return
            stack.extend((item, depth + 1) for item in current if isinstance(item, (dict, list)))
