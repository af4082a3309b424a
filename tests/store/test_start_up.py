"""The store is ready before any thread queries it: every mapper declared and configured at
import, and shared query constructs built once, so a console's worker and its screen (or a
server's requests) running their first queries at the same moment cannot trip over each
other. Each check runs in a fresh interpreter, where nothing has been warmed yet."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import WAIT_CEILING


def _python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True, text=True, timeout=WAIT_CEILING, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("first_import", ["ffd_core.store.tables", "ffd_core.store.engine"])
def test_importing_the_store_declares_and_configures_every_mapper(first_import):
    report = json.loads(_python("""
        import importlib, json, sys
        importlib.import_module(sys.argv[1])
        from ffd_core.store.base import Base
        mappers = list(Base.registry.mappers)
        print(json.dumps({"names": sorted(m.class_.__name__ for m in mappers),
                          "unconfigured": [m.class_.__name__ for m in mappers if not m.configured]}))
    """, first_import))
    # Tables of later features (person index, form snapshots) are there from the start...
    assert {"Contact", "User", "SourceRecordRow", "FormSnapshot"} <= set(report["names"])
    # ...and no query has to configure anything.
    assert report["unconfigured"] == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_many_threads_running_their_first_holding_area_query_at_once(database_url):
    """Twelve threads released together run the holding area's first query, forty times over
    on a freshly imported queue module, with the interpreter switching threads as often as it
    can. Before the shared owner alias was built at import, a few rounds in every forty failed
    with "Can't determine which FROM clause to join from" or "no such column"."""
    out = _python("""
        import importlib, sys, threading, warnings
        from ffd_core.domain.vocab import Role
        from ffd_core.services import queue
        from ffd_core.services.context import Actor, Context
        from ffd_core.settings import Settings
        from ffd_core.store.engine import make_engine

        warnings.simplefilter("ignore")  # the failures show as SAWarnings first
        sys.setswitchinterval(1e-6)
        url = sys.argv[1]
        officer = Actor(1, "officer", Role.SCREENING_OFFICER)
        failures = []
        for _ in range(40):
            importlib.reload(queue)  # a module-level alias nobody has used yet
            ctx = Context(make_engine(url), Settings(database_url=url), b"key")  # empty cache
            barrier = threading.Barrier(12)

            def first_query(view):
                barrier.wait()
                try:
                    queue.holding_area(ctx, officer, view)
                except Exception as error:
                    failures.append(repr(error)[:160])

            threads = [threading.Thread(target=first_query, args=(list(queue.View)[i % 7],))
                       for i in range(12)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            ctx.engine.dispose()
        print("\\n".join(failures))
    """, database_url)
    assert out.strip() == ""
