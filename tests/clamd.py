"""A real ClamAV clamd for the scanning tests, with a one-line signature database for the
EICAR test file (no signature mirror is reachable). CI requires it (FFD_REQUIRE_CLAMD=1)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):  # noqa: ANN201
    binary = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
    if binary is None:
        if os.environ.get("FFD_REQUIRE_CLAMD") == "1":
            pytest.fail("FFD_REQUIRE_CLAMD=1 but ClamAV's clamd is not installed")
        pytest.skip("ClamAV's clamd is not installed (apt-get install clamav-daemon)")
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    # One line: the EICAR test file by its MD5 and size.
    (folder / "db" / "eicar.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-Signature\n")
    socket_path = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(f"LocalSocket {socket_path}\nDatabaseDirectory {folder / 'db'}\n"
                      f"Foreground yes\nTemporaryDirectory {folder}\nUser root\n")
    process = subprocess.Popen([binary, "--config-file", str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read().decode() if process.poll() is not None else ""
            process.kill()
            pytest.fail(f"clamd did not start: {output}")
        time.sleep(0.1)
    yield str(socket_path)
    process.terminate()
    process.wait(timeout=30)
