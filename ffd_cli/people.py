"""`ffd people`: the person index (single view of the child) from the command line."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from ffd_cli.progress import console, notices, progress_bars
from ffd_cli.runtime import cli_actor, open_context, settings_from
from ffd_core.errors import InvalidInput, NotFound
from ffd_core.secrets import get_secret
from ffd_core.services import person_index, single_view
from ffd_core.services.single_view import EDUCATION, SOCIAL_CARE, PersonQuery, parse_age
from ffd_tui.plain import add_plain_row, plain, visible

SOURCES = [SOCIAL_CARE, EDUCATION]
SHOWN_ISSUES = 20
ROWS_SKIPPED = 3  # exit status: imported, but some rows were skipped (2 is an error)


@click.group()
def people() -> None:
    """The person index: source records, linkage, search and the single view."""


@people.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, type=click.Choice(SOURCES), help="The system the file came from.")
@click.option("--map", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Column mapping (YAML); default: the bundled mapping for the source.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write every skipped or warned row to this CSV (line, field, value, reason, outcome).")
@click.option("--encoding", help="The file's text encoding (default: from its byte-order mark, else UTF-8).")
@click.pass_context
def people_import(ctx: click.Context, file: Path, source: str, mapping_file: Path | None,
                  report_file: Path | None, encoding: str | None) -> None:
    """Import source records from CSV. Every child is kept (a bad value is dropped with a
    warning); a row without an id or a name is skipped. Exits 3 when any row was skipped."""
    context = open_context(settings_from(ctx))
    mapping = person_index.column_mapping(source, mapping_file)
    with progress_bars() as report:
        result = person_index.import_csv(context, cli_actor(), file, source=source, mapping=mapping,
                                         encoding=encoding, report=report_file, mapping_file=mapping_file,
                                         progress=report)
    older = f" {len(result.older)} older than the stored version, not applied;" if result.older else ""
    console.print(f"{result.inserted} new and {result.updated} updated records from {file.name};{older} "
                  f"{_count(len(result.rejected), 'row')} skipped, {_count(len(result.warnings), 'warning')}.")
    shown = [(f"{'[red]skipped[/]' if issue.skipped else '[yellow]warning[/]'} line {issue.line}", issue.message)
             for issue in sorted([*result.rejected, *result.warnings], key=lambda issue: issue.line)]
    shown += [(f"[yellow]not applied[/] {escape(visible(':'.join(record.ref)))}", record.reason)
              for record in result.older]
    for label, message in shown[:SHOWN_ISSUES]:
        console.print(f"{label}: {escape(visible(message))}")  # data: no markup, no terminal control
    if report_file is not None:
        console.print(f"All {result.report_rows} written to {escape(str(report_file))}." if result.report_rows
                      else f"Nothing to report; {escape(str(report_file))} holds the header only.")
    elif len(shown) > SHOWN_ISSUES:
        console.print(f"… and {len(shown) - SHOWN_ISSUES} more; give --report FILE to have them all.")
    console.print("Run `ffd people relink` to group the records into people.")
    if result.rejected:
        sys.exit(ROWS_SKIPPED)


@people.command("reindex")
@click.pass_context
def people_reindex(ctx: click.Context) -> None:
    """Re-file every source record under this release's search keys (after an upgrade says so)."""
    context = open_context(settings_from(ctx))
    with progress_bars() as report:
        count = person_index.reindex(context, cli_actor(), progress=report)
    console.print(f"{count} records re-filed; search uses this release's keys.")


@people.command("relink")
@click.pass_context
def people_relink(ctx: click.Context) -> None:
    """Re-link every record into people (officers' confirm/split decisions are kept)."""
    context = open_context(settings_from(ctx))
    with progress_bars() as report:
        summary = person_index.relink(context, cli_actor(), progress=report)
    console.print(f"{summary.records} records grouped into {summary.people} people "
                  f"({summary.people_kept} kept their ids, {summary.people_new} new); "
                  f"{summary.links} automatic links, {summary.possible_matches} possible matches "
                  "for review (`ffd people review`).")


@people.command("sync")
@click.option("--source", required=True, type=click.Choice(SOURCES))
@click.option("--url", required=True, help="Base URL of the source system's sync endpoint.")
@click.pass_context
def people_sync(ctx: click.Context, source: str, url: str) -> None:
    """Fetch records changed since the last sync (resumes after a failure)."""
    context = open_context(settings_from(ctx))
    with progress_bars() as report:
        result = person_index.sync(context, cli_actor(), url, source,
                                   token=get_secret("sync-token"), progress=report)
    console.print(f"{_count(result.records, 'record')} in {_count(result.pages, 'page')} from {source}"
                  + (" (resumed after an earlier failure)" if result.resumed else "")
                  + (f"; {_count(result.older, 'record')} older than the stored version, not applied"
                     if result.older else "")
                  + ". Run `ffd people relink` to regroup them.")


@people.group("links")
def links() -> None:
    """The linkage result."""


@links.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def links_export(ctx: click.Context, file: Path) -> None:
    """Write source, source id, person id and score for every record (CSV)."""
    context = open_context(settings_from(ctx))
    with progress_bars() as report:
        count = person_index.export_links(context, cli_actor(), file, progress=report)
    console.print(f"Wrote {count} records to {file}.")


@people.command("search")
@click.argument("text", required=False)
@click.option("--dob", help="Date of birth: dd/mm/yyyy, mm/yyyy or yyyy.")
@click.option("--age", help="Age or age range instead of a date of birth: 9, about 9, 8-10.")
@click.option("--gender", type=click.Choice(["male", "female"]))
@click.option("--postcode", help="Full postcode, or part of one: BK2 3AB, BK2 3, BK2.")
@click.option("--street", help="Street, e.g. Oak Road.")
@click.option("--school")
@click.option("--upn")
@click.option("--nhs", "nhs_number")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.pass_context
def people_search(ctx: click.Context, text, dob, age, gender, postcode, street, school, upn, nhs_number,  # noqa: ANN001
                  limit) -> None:  # noqa: ANN001
    """Find a child by what you would type: "Harry Ford BK2 3", "Mo Khan about 9 girl";
    options add or override a date of birth, age, gender, postcode, street, school, UPN or NHS number."""
    if not any([text, dob, age, postcode, street, school, upn, nhs_number]):
        raise InvalidInput("give at least a name, a date of birth, a postcode, a UPN or an NHS number")
    query = single_view.parse_person_query(text or "") or PersonQuery()
    given = {"date_of_birth": dob, "gender": gender, "postcode": postcode, "street": street, "school": school,
             "upn": upn, "nhs_number": nhs_number}
    query = replace(query, **{k: v for k, v in given.items() if v})
    if age:
        try:
            query = replace(query, age_from=parse_age(age)[0], age_to=parse_age(age)[1])
        except ValueError as error:
            raise InvalidInput(str(error)) from None
    context = open_context(settings_from(ctx))
    matches = single_view.find_people(context, cli_actor(), query, limit=limit)
    table = Table(title=f"{len(matches)} match(es)")
    for column in ("person", "score", "name", "born", "sources", "why"):
        table.add_column(column)
    for match in matches:
        best = match.records[0].record
        add_plain_row(table, match.person_id, f"{match.score:.2f}", f"{best.given_name} {best.family_name}",
                      format_uk_date_or_blank(best.date_of_birth), ", ".join(match.sources),
                      "; ".join(match.reasons))
    console.print(table)
    stale = person_index.stale_index_warning(context)
    if stale:
        notices.print(f"[yellow]{stale}[/]")


def format_uk_date_or_blank(value) -> str:  # noqa: ANN001
    return value.strftime("%d/%m/%Y") if value else ""


@people.command("show")
@click.argument("person_id")
@click.option("--reason", required=True, help="Why you are looking (recorded on the audit trail).")
@click.pass_context
def people_show(ctx: click.Context, person_id: str, reason: str) -> None:
    """The single view of one child: both systems side by side, and who to contact (audited)."""
    context = open_context(settings_from(ctx))
    view = single_view.person_view(context, cli_actor(), person_id, reason=reason)
    if view is None:
        raise NotFound(f"no person {person_id}; search with `ffd people search`")
    table = Table(title=f"Person {person_id}")
    table.add_column("field")
    for source in SOURCES:
        table.add_column(source)
    columns = {s: view.of(s) for s in SOURCES}
    for label, get in [("source id", lambda r: r.source_id),
                       ("name", lambda r: f"{r.given_name} {r.family_name}"),
                       ("born", lambda r: format_uk_date_or_blank(r.date_of_birth)),
                       ("address", lambda r: ", ".join(filter(None, [r.address_line1, r.town, r.postcode]))),
                       ("school", lambda r: r.school or ""), ("NHS", lambda r: r.nhs_number or ""),
                       ("UPN", lambda r: r.upn or "")]:
        add_plain_row(table, label, *["\n".join(get(r) for r in columns[s]) for s in SOURCES])
    console.print(table)
    console.print(plain(f"Open to social care: {'yes' if view.open_to_social_care else 'no'}"
                        + (f" ({', '.join(view.open_episodes)})" if view.open_episodes else "")))
    for worker in view.who_to_contact:
        console.print(plain(f"Who to contact: {worker['worker']}, {worker.get('team') or ''} "
                            f"{worker.get('phone') or ''} {worker.get('email') or ''}"))


@people.command("review")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.pass_context
def people_review(ctx: click.Context, limit: int) -> None:
    """Possible matches waiting for an officer to confirm or split."""
    context = open_context(settings_from(ctx))
    queue = single_view.review(context, cli_actor(), limit=limit)
    if not queue.pairs:
        console.print("No possible matches are waiting for review.")
        sys.exit(0)
    console.print(f"{queue.total} pairs waiting: " + "; ".join(f"{n} {why}" for why, n in queue.by_reason.items()))
    table = Table(title="Possible matches (pairs joining people open to social care first)")
    for column in ("a", "b", "open", "score", "why review", "evidence"):
        table.add_column(column)
    for match in queue.pairs:
        add_plain_row(table, ":".join(map(str, match.a)), ":".join(map(str, match.b)), str(match.open_sides),
                      f"{match.weight:.1f}", match.why_review, "; ".join(match.reasons[1:]))
    console.print(table)


def _ref(text: str) -> tuple[str, str]:
    source, _, source_id = text.partition(":")
    if source not in SOURCES or not source_id:
        raise InvalidInput(f"{text!r}: write a record as SOURCE:ID, e.g. framework_i:4274351")
    return source, source_id


def _decide(ctx: click.Context, a: str, b: str, reason: str, same: bool) -> None:
    context = open_context(settings_from(ctx))
    person_id = single_view.decide_link(context, cli_actor(), _ref(a), _ref(b), same=same,
                                        reason=reason)
    console.print(("Confirmed: the two records are one child" if same else
                   "Split: the two records are different children")
                  + f" ({a} is in person {person_id}). The decision holds on every re-link.")


@people.command("confirm")
@click.argument("record_a")
@click.argument("record_b")
@click.option("--reason", required=True, help="Why (recorded on the audit trail).")
@click.pass_context
def people_confirm(ctx: click.Context, record_a: str, record_b: str, reason: str) -> None:
    """Confirm two records (SOURCE:ID) are the same child."""
    _decide(ctx, record_a, record_b, reason, same=True)


@people.command("split")
@click.argument("record_a")
@click.argument("record_b")
@click.option("--reason", required=True, help="Why (recorded on the audit trail).")
@click.pass_context
def people_split(ctx: click.Context, record_a: str, record_b: str, reason: str) -> None:
    """Split two records (SOURCE:ID): they are different children."""
    _decide(ctx, record_a, record_b, reason, same=False)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
