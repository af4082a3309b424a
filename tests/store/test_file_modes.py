"""The store's own files are private under an ordinary umask: the data folder 0700, the
SQLite database with its WAL and SHM files 0600, attachments 0700/0600; wider ones are named
in one warning line at start."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from ffd_core.store import migrate
from ffd_core.store.blobs import BlobStore
from ffd_core.store.engine import make_engine


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def ordinary_umask():  # noqa: ANN201
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_store_and_its_wal_files_are_private(tmp_path):
    folder = tmp_path / "data" / "family-front-door"
    database = folder / "ffd.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    with engine.connect() as connection:  # keep it open so the WAL and SHM files exist
        connection.execute(text("SELECT 1 FROM audit_head")).all()
        files = [database, folder / "ffd.sqlite-wal", folder / "ffd.sqlite-shm"]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700
    engine.dispose()


def test_attachments_are_private(tmp_path):
    root = tmp_path / "attachments"
    digest = BlobStore(root).put(b"a referral letter")
    stored = root / digest[:2] / digest[2:4] / digest
    assert _mode(stored) == 0o600
    assert [_mode(p) for p in (root, stored.parent.parent, stored.parent)] == [0o700] * 3


def test_a_world_readable_store_is_named_in_one_warning_line(tmp_path, caplog):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    database = folder / "ffd.sqlite"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    with caplog.at_level(logging.WARNING, logger="ffd.store"):
        make_engine(f"sqlite:///{database}").dispose()
        make_engine(f"sqlite:///{database}").dispose()  # said once, not at every engine
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert "\n" not in line and f"{database} (644)" in line and f"{folder} (755)" in line
