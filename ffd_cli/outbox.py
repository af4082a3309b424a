"""`ffd worker` and `ffd outbox`: deliver what the outbox holds, see what went out, retry."""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import queue
import signal
import threading
from dataclasses import replace
from pathlib import Path

import click
from rich.table import Table

from ffd_cli.progress import console, notices
from ffd_cli.runtime import cli_actor, open_context, settings_from
from ffd_core.connectors.outbox_worker import PassReport, Worker, WorkerRunning
from ffd_core.connectors.senders import senders_for
from ffd_core.connectors.smtp_sink import LocalSink
from ffd_core.services import deliveries, referrer_mail
from ffd_core.services.outbox import DeliveryState
from ffd_core.settings import Settings, data_dir
from ffd_tui.plain import add_plain_row


def _worker_for(settings: Settings) -> Worker:
    context = open_context(settings)
    return Worker(context, senders_for(context))


@click.command("worker")
@click.option("--once", is_flag=True,
              help="One pass (due timed jobs, then every due message), then exit: for cron.")
@click.pass_context
def worker(ctx: click.Context, once: bool) -> None:
    """Deliver queued emails and case-system pushes, and run the timed jobs (chase-by,
    due-soon warnings).

    Runs until stopped (Ctrl+C or SIGTERM), waking when the store changes. Several workers
    may share a PostgreSQL store; SQLite takes one."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("ffd_core").setLevel(logging.INFO)
    settings = settings_from(ctx)
    delivery = _worker_for(settings)
    if not settings.smtp_host:
        notices.print("[yellow]smtp_host is not set: emails wait in the outbox; "
                      "timed jobs still run.[/]")
    if not settings.case_system_url:
        notices.print("[yellow]case_system_url is not set: case-system pushes wait in the "
                      "outbox.[/]")
    with delivery:
        if once:
            _say(delivery.run_pass(), always=True)
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: delivery.stop())
        console.print(f"Worker {delivery.id} running; Ctrl+C stops it after the message in hand.")
        delivery.run(on_pass=_say)


def _say(report: PassReport, always: bool = False) -> None:
    if always or report.sent or report.retrying or report.dead or any(report.jobs.values()):
        jobs = ", ".join(f"{name} {count}" for name, count in report.jobs.items())
        console.print(f"sent {report.sent}, retrying {report.retrying}, dead letters "
                      f"{report.dead}" + (f"; timed jobs: {jobs}" if jobs else "")
                      + (f"; {', '.join(report.paused)} server unavailable" if report.paused else ""))


@click.group()
def outbox() -> None:
    """Messages that go out: what was sent, what is waiting, what failed."""


@outbox.command("list")
@click.option("--state", type=click.Choice([s.value for s in DeliveryState]), default=None,
              help="Only messages in this state (dead: failed for good, a supervisor may retry).")
@click.option("--contact", "reference", default=None, help="Only this contact's, by reference.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.pass_context
def outbox_list(ctx: click.Context, state: str | None, reference: str | None, limit: int) -> None:
    """Newest first, with today's figures."""
    context = open_context(settings_from(ctx))
    rows = deliveries.list_outbox(context, cli_actor(), limit=limit, reference=reference,
                                  state=DeliveryState(state) if state else None)
    table = Table(header_style="bold")
    for column in ("id", "contact", "what", "to", "status", "last error"):
        table.add_column(column, no_wrap=column in ("id", "contact"),
                         overflow="fold" if column in ("to", "last error") else "ellipsis")
    for row in rows:
        add_plain_row(table, str(row.id), row.reference, row.purpose, row.to,
                      row.status + (f" ({row.timeliness})" if row.timeliness else ""),
                      row.last_error or "")
    console.print(table)
    if len(rows) == limit:
        notices.print(f"The newest {limit} shown; --limit N shows more, --state or --contact fewer.")
    figures = deliveries.figures_today(context, cli_actor())
    console.print(
        f"Today: {figures.acknowledged_within_a_minute} of {figures.acknowledgements} "
        f"acknowledgements sent within a minute; {figures.outcomes_within_target} of "
        f"{figures.outcomes} outcomes sent within the decision target; {figures.bounced} bounced, "
        f"{figures.dead_letters} dead letters; {figures.waiting} waiting now.")


@outbox.command("show")
@click.argument("outbox_id", type=int)
@click.pass_context
def outbox_show(ctx: click.Context, outbox_id: int) -> None:
    """The email as it is sent (subject, addresses and text)."""
    letter = referrer_mail.letter(open_context(settings_from(ctx)), cli_actor(), outbox_id)
    console.print(f"To: {letter.to}\nReply-To: {letter.reply_to or '-'}\n"
                  f"Subject: {letter.subject}\n", markup=False)
    console.print(letter.text, markup=False)


@outbox.command("retry")
@click.argument("outbox_ids", nargs=-1, required=True, type=int)
@click.option("--reason", required=True, help="Why it should go again (kept on the audit trail).")
@click.pass_context
def outbox_retry(ctx: click.Context, outbox_ids: tuple[int, ...], reason: str) -> None:
    """Send dead letters again (after the address or the server was put right)."""
    context = open_context(settings_from(ctx))
    for outbox_id in outbox_ids:
        retried = deliveries.retry(context, cli_actor(), outbox_id, reason)
        console.print(f"{retried.id} ({retried.purpose}, {retried.reference}) is queued again.")


# ------------------------------------------------------------------------------ the demo


class DemoDelivery:
    """The demo's worker and a local SMTP sink that keeps each message in a Maildir, in a
    process of their own beside the console (so a backlog of emails never slows a key
    press). Their log goes to a file, never over the console."""

    def __init__(self, settings: Settings) -> None:
        self.maildir = data_dir() / "demo-mail"
        spawn = multiprocessing.get_context("spawn")
        said = spawn.Queue()
        self.process = spawn.Process(
            target=_demo_mail, name="ffd-demo-mail", daemon=True,
            args=(settings, str(self.maildir), str(data_dir() / "worker.log"), said))
        self.process.start()
        try:
            problem = said.get(timeout=120)
        except queue.Empty:
            problem = "the worker did not start; see worker.log in the data folder"
        self.note = (f"Email: not sent from here ({problem})." if problem else
                     f"Email goes to a local SMTP sink that keeps each message in {self.maildir}; "
                     "see what went out with `ffd outbox list`, or `M` in the holding area when "
                     "signed in as demo.supervisor.")

    def stop(self) -> None:
        self.process.terminate()  # SIGTERM: the worker finishes the message in hand
        self.process.join(timeout=15)
        if self.process.is_alive():
            self.process.kill()


def _demo_mail(settings: Settings, maildir: str, log_path: str, said) -> None:  # noqa: ANN001
    _log_to(Path(log_path))
    sink = LocalSink(Path(maildir)).start()
    delivery = _worker_for(replace(settings, smtp_host=sink.host, smtp_port=sink.port,
                                   smtp_security="none", smtp_username=""))
    try:
        delivery.start()
    except WorkerRunning as error:
        said.put(str(error))
        sink.stop()
        return
    signal.signal(signal.SIGTERM, lambda *_: delivery.stop())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C belongs to the console
    # If the console dies without stopping us (killed, terminal closed), stop too, so the
    # store's worker lock is not left held.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (multiprocessing.connection.wait([parent.sentinel]),
                                         delivery.stop()), daemon=True).start()
    said.put("")
    try:
        delivery.run()
    finally:
        delivery.close()
        sink.stop()


def _log_to(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("ffd_core")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
