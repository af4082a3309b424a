"""The restricted child look-up page (the rules, the audit and the per-person and per-agency
limits are the service's, answered here with 429; this page adds a per-address limit)."""

from __future__ import annotations

from datetime import datetime

from litestar import Request, Router, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from ffd_core.domain.access import Actor
from ffd_core.errors import InvalidInput, PermissionDenied, RateLimited
from ffd_core.services import child_lookup
from ffd_web.limits import per_address
from ffd_web.rendering import page
from ffd_web.security import ctx_of, current_partner

TITLE = "Look up a child"


@get("/look-up")
async def lookup_form(request: Request, partner: NamedDependency[Actor]) -> Template:
    return page(request, "lookup.html", title=TITLE, form={}, result=None)


@post("/look-up", middleware=[per_address("lookup", 10)])
async def lookup(request: Request, partner: NamedDependency[Actor]) -> Template:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        born = datetime.strptime(form.get("date_of_birth", "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return page(request, "lookup.html", title=TITLE, form=form, result=None,
                    errors=[("date_of_birth", "Enter the date of birth as day/month/year, "
                             "like 27/03/2019")])
    try:
        found = await sync_to_thread(
            lambda: child_lookup.look_up(
                ctx_of(request), partner, given_name=form.get("given_name", ""),
                family_name=form.get("family_name", ""), date_of_birth=born,
                postcode=form.get("postcode", ""), reason=form.get("reason", "")))
    except RateLimited as error:  # the service's hourly limits: "too many requests"
        return page(request, "lookup.html", title=TITLE, form=form, result=None, status=429,
                    errors=[("given_name", str(error))])
    except (InvalidInput, PermissionDenied) as error:
        field = "reason" if "why" in str(error) else "given_name"
        return page(request, "lookup.html", title=TITLE, form=form, result=None,
                    errors=[(field, str(error))])
    return page(request, "lookup.html", title=TITLE, form=form, result=found or False)


router = Router(path="/", route_handlers=[lookup_form, lookup], include_in_schema=False,
                dependencies={"partner": Provide(current_partner, sync_to_thread=True)})
