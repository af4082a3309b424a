"""Pages: Jinja2 templates (autoescaped), the context every page shares, and dates as
people read them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template

from ffd_core.clock import uk_local
from ffd_web.security import ctx_of, session_data

TEMPLATES = Path(__file__).parent / "templates"
SERVICE = "Family Front Door"


def template_engine() -> JinjaTemplateEngine:
    engine = JinjaTemplateEngine(directory=TEMPLATES)  # autoescape on: every value is escaped
    engine.engine.filters.update(long_date=long_date, date_time=date_time, file_size=file_size)
    engine.engine.globals.update(date_parts=date_parts)
    return engine


def page(request: Request, name: str, *, status: int = 200, title: str = "",
         errors: list[tuple[str, str]] | None = None, **context: Any) -> Template:
    """A page. ``errors`` are (field id, message) pairs for the error summary; a page with
    errors gets "Error: " before its title, as the GOV.UK pattern asks."""
    ctx = ctx_of(request)
    session = session_data(request)
    return Template(template_name=name, status_code=status, context={
        "title": ("Error: " if errors else "") + page_title(title, ctx.config.council.name),
        "service": SERVICE,
        "heading": title,
        "errors": errors or [],
        "error_for": {field: message for field, message in errors or []},
        "council": ctx.config.council.name,
        "edt_phone": ctx.config.council.edt_phone,
        "signed_in": bool(session.get("user_id")),
        "user_name": session.get("name", ""),
        "idle_seconds": ctx.settings.web_idle_minutes * 60,
        **context,
    })


def page_title(title: str, council: str) -> str:
    """"<page> – <service> – <council>", as GOV.UK titles pages; a page named after the
    service (the start and home pages) is not named twice."""
    return " – ".join(dict.fromkeys(part for part in (title, SERVICE, council) if part))


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = uk_local(value)
    return f"{value.day} {value:%B %Y}"


def date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    local = uk_local(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def file_size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def date_parts(value: Any) -> tuple[str, str, str]:
    """A stored date (ISO, or as typed when it was not a date) as day, month, year boxes."""
    if not isinstance(value, str) or not value:
        return "", "", ""
    parts = value.split("-")
    if len(parts) != 3:
        return "", "", value
    year, month, day = parts
    return day.lstrip("0") if day.isdigit() else day, month.lstrip("0") if month.isdigit() else month, year
