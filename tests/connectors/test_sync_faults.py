"""Every way a source system can misbehave, against a real HTTP server on loopback: sync
stops with one line naming the page and what to do, keeps the pages before it, and never
hangs, loops, reads a huge answer whole or sends its token in clear."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ffd_cli.main import cli
from ffd_core.connectors.http import OutboundClient, Policy
from ffd_core.search.records import EDUCATION
from ffd_core.search.sandbox import OVERSIZED_BYTES, Faults, sandbox_app, serve
from ffd_core.search.sync import SyncFailed, sync_source
from ffd_core.store.people_tables import SourceRecordRow, SyncCursor
from ffd_core.synthetic.population import build_population
from ffd_core.synthetic.sources import build_sources
from tests.conftest import AUDIT_KEY

SERVER_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PAGE = 20


@pytest.fixture(scope="module")
def records():  # noqa: ANN201
    population = build_population(11, 60, date(2026, 11, 1))
    return build_sources(population, 11, date(2026, 11, 1)).of(EDUCATION)


class Sleeps(list):
    """The waits the client asked for, recorded instead of slept (time is the machine's edge)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _stored(ctx) -> int:  # noqa: ANN001
    with Session(ctx.engine) as session:
        return session.execute(select(func.count(SourceRecordRow.id))).scalar_one()


def _sync(ctx, url, *, sleeps=None, **policy):  # noqa: ANN001, ANN003, ANN202
    client = OutboundClient(token="sandbox-token", sleep=sleeps if sleeps is not None else Sleeps(),
                            policy=Policy(**{"attempts": 3, **policy}))
    with client:
        return sync_source(ctx.engine, url, EDUCATION, page_size=PAGE, client=client, clock=ctx.clock)


def _fails(ctx, records, fault_plan, match, **policy):  # noqa: ANN001, ANN003, ANN202
    faults = Faults(plan=fault_plan)
    with serve(sandbox_app({EDUCATION: records}, token="sandbox-token", faults=faults,
                           clock=lambda: SERVER_NOW)) as url:
        with pytest.raises(SyncFailed, match=match) as raised:
            _sync(ctx, url, **policy)
    message = str(raised.value)
    assert "\n" not in message and "page 2" in message and "resume" in message
    assert _stored(ctx) == PAGE  # the first page is kept; nothing of the bad one
    return faults


@pytest.mark.parametrize(("fault", "match"), [
    ("500", "HTTP 500 Internal Server Error"),
    ("invalid_json", "not valid JSON"),
    ("html", "the answer is HTML, not JSON"),
    ("missing_field", "the answer lacks 'records'"),
    ("redirect_away", "redirected to collector.example, another host"),
])
def test_a_bad_answer_stops_sync_at_once_naming_the_page(ctx, records, fault, match):
    faults = _fails(ctx, records, {2: fault}, match)
    assert faults.requests == 2  # final answers are not retried


def test_an_answer_that_never_comes_times_out_and_is_retried(ctx, records):
    faults = _fails(ctx, records, {2: "slow", 3: "slow", 4: "slow"}, r"no answer .* within 0.3 s "
                    "after 3 attempts", read_timeout=0.3)
    assert faults.requests == 4


def test_a_repeating_page_token_is_a_loop_and_stops(ctx, records):
    faults = _fails(ctx, records, {2: "repeat_token"}, "already gave .*looping")
    assert faults.requests == 2


@pytest.mark.parametrize("fault", ["oversized", "oversized_declared"])
def test_a_55_mb_page_is_refused_without_reading_it_whole(ctx, records, fault):
    faults = _fails(ctx, records, {2: fault}, "larger than 1 MB", max_bytes=1024 * 1024)
    assert faults.oversized_done.wait(30)  # the server's stream ended: the client hung up
    assert faults.oversized_sent < OVERSIZED_BYTES / 2


def test_transient_failures_are_retried_with_backoff_and_retry_after(ctx, records):
    faults = Faults(plan={2: "503", 3: "503", 4: "429"})
    sleeps = Sleeps()
    with serve(sandbox_app({EDUCATION: records}, token="sandbox-token", faults=faults,
                           clock=lambda: SERVER_NOW)) as url:
        report = _sync(ctx, url, sleeps=sleeps, attempts=4, backoff_initial=0.5)
    assert report.records == len(records) and _stored(ctx) == len(records)
    first, second, retry_after = sleeps
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 1.5  # doubling, plus jitter
    assert retry_after == 7  # the server's Retry-After


def test_connection_refused_is_retried_then_one_line(ctx):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    sleeps = Sleeps()
    with pytest.raises(SyncFailed, match=r"capita_one page 1: cannot connect to 127.0.0.1:\d+ "
                       r".*after 3 attempts") as raised:
        _sync(ctx, f"http://127.0.0.1:{port}", sleeps=sleeps)
    assert "\n" not in str(raised.value) and len(sleeps) == 2


@pytest.mark.parametrize("url", ["http://192.0.2.10", "http://sync.brackenshire.example",
                                 "ftp://127.0.0.1"])
def test_plain_http_to_another_machine_is_refused_before_anything_is_sent(ctx, url):
    sleeps = Sleeps()
    with pytest.raises(SyncFailed, match="https://"):
        _sync(ctx, url, sleeps=sleeps)
    assert sleeps == []  # refused, not tried and retried
    with Session(ctx.engine) as session:
        assert session.get(SyncCursor, EDUCATION) is None


def test_the_command_line_shows_a_sync_failure_as_one_line(database_url, monkeypatch, records):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.setenv("FFD_SYNC_TOKEN", "sandbox-token")
    faults = Faults(always="500")
    with serve(sandbox_app({EDUCATION: records}, token="sandbox-token", faults=faults)) as url:
        result = CliRunner().invoke(cli, ["people", "sync", "--source", EDUCATION, "--url", url])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "capita_one page 1" in result.output and "HTTP 500" in result.output
