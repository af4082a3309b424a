"""Human references (FFD-2026-000123): one counter per year, upserted atomically."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ffd_core.store.tables import ReferenceCounter

PREFIX = "FFD"


def next_reference(session: Session, year: int) -> str:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(ReferenceCounter)
        .values(year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.year],
            set_={"last_number": ReferenceCounter.last_number + 1},
        )
        .returning(ReferenceCounter.last_number)
    )
    number = session.execute(statement).scalar_one()
    return format_reference(year, number)


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def last_issued(session: Session, year: int) -> int:
    return session.execute(
        select(ReferenceCounter.last_number).where(ReferenceCounter.year == year)
    ).scalar_one_or_none() or 0
