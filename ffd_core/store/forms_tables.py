"""Snapshots of every form definition a submission was made with, keyed by content hash,
so a contact is always shown with the exact questions it answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ffd_core.store.base import Base, JSONType, UTCDateTime


class FormSnapshot(Base):
    __tablename__ = "form_snapshots"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[str] = mapped_column(String(20))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
