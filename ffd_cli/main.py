"""`ffd`: run the demo, manage the store, agencies and users, check the audit trail."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from ffd_cli.intake import intake
from ffd_cli.outbox import DemoDelivery, outbox, worker
from ffd_cli.people import people
from ffd_cli.progress import console, notices, progress_bars
from ffd_cli.runtime import (
    FFDGroup,
    cli_actor,
    ensure_audit_key,
    ensure_mail_key,
    open_context,
    settings_from,
)
from ffd_cli.web import agency_key, serve, start_beside
from ffd_core.clock import format_uk_datetime
from ffd_core.domain.vocab import AgencyKind, Role
from ffd_core.errors import InvalidInput
from ffd_core.secrets import SECRETS, set_secret
from ffd_core.services import admin, clocks, directory, person_index
from ffd_core.services.queue import counters
from ffd_tui.plain import add_plain_row


@click.group(cls=FFDGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path),
              help="Settings file (TOML). Default: FFD_CONFIG, else ffd.toml in your config folder.")
@click.version_option(package_name="family-front-door")
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Family Front Door triage workstation.

    Start with `ffd demo`: it builds a synthetic county in a local SQLite file and opens it.
    """
    ctx.obj = {"config": config}


# ------------------------------------------------------------------------------ demo


def _seed_options(function):  # noqa: ANN001, ANN201
    options = [
        click.option("--seed", default=2026, show_default=True, help="Random seed: same seed, same county."),
        click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
                     help="The demo's 'today' (YYYY-MM-DD). Default: today."),
        click.option("--contacts", default=3000, show_default=True, type=click.IntRange(0, 2_000_000),
                     help="Contacts in all, including the open queue."),
        click.option("--open", "open_", default=40, show_default=True, type=click.IntRange(0, 1_000_000),
                     help="Contacts still open in the holding area."),
        click.option("--people", default=6000, show_default=True, type=click.IntRange(10, 5_000_000),
                     help="Children in the synthetic county."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _not_production_option(function):  # noqa: ANN001, ANN201
    return click.option("--i-know-this-is-not-production", "not_production", is_flag=True,
                        help="Allow seeding an empty PostgreSQL database (refused otherwise: it "
                             "may be a team's real store).")(function)


@cli.group(invoke_without_command=True)
@_seed_options
@_not_production_option
@click.option("--as", "as_user", default="demo.officer", show_default=True,
              help="Demo account to sign in as, e.g. demo.supervisor or demo.socialworker.")
@click.option("--no-console", is_flag=True, help="Seed and report, but do not open the console.")
@click.option("--web-port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help="Port for the web endpoint the demo runs on 127.0.0.1.")
@click.pass_context
def demo(ctx: click.Context, seed: int, as_of, contacts: int, open_: int, people: int,  # noqa: ANN001
         not_production: bool, as_user: str, no_console: bool, web_port: int) -> None:
    """Set up a demo county (in a new store, or the one the demo made) and open the console.

    Refuses a store holding data the demo did not make, and an empty PostgreSQL database
    unless told --i-know-this-is-not-production."""
    if ctx.invoked_subcommand is not None:
        return
    summary = _seed(ctx, seed, as_of, contacts, open_, people, reuse=True,
                    allow_postgres=not_production)
    settings = settings_from(ctx)
    context = open_context(settings)
    figures = counters(context, cli_actor())
    console.print(f"[bold]Family Front Door demo[/] — {escape(context.config.council.name)}")
    console.print(f"Store: {settings.resolved_database_url}")
    if summary is None:
        console.print("The demo made this store earlier; nothing was seeded.")
    console.print(
        f"Holding area now: {figures.unallocated} unallocated, {figures.in_screening} in screening, "
        f"{figures.awaiting_information} awaiting information, "
        f"{figures.awaiting_sign_off} awaiting sign-off, {figures.breached} breached.")
    if no_console:
        return
    from ffd_core.services.demo_store import demo_actor

    actor = demo_actor(context, as_user)
    teacher = next((u.email for u in directory.list_users(context, cli_actor())
                    if u.username == "demo.teacher"), None)
    delivery = DemoDelivery(settings)  # a worker and a local SMTP sink beside the console
    try:
        address, _server = start_beside(context, port=web_port)  # a daemon thread: ends with us
    except BaseException:
        delivery.stop()
        raise
    console.print(f"Web endpoint for partners: {address} — sign in as {teacher} with "
                  "demo.teacher's password (printed when the demo was seeded); the emailed "
                  "sign-in code lands in the demo's mail folder (below).")
    console.print(f"Signing in as {actor.name} ({actor.role.label}). To see the supervisor's "
                  "view: `ffd demo --as demo.supervisor`; a social worker's (read-only): "
                  "`ffd demo --as demo.socialworker`.")
    console.print(delivery.note)
    try:
        _run_console(context, settings, actor)
    finally:
        delivery.stop()


def _run_console(context, settings, actor) -> None:  # noqa: ANN001
    from ffd_tui.launch import run_console

    _ = context.config  # an invalid council folder stops here, every problem named, before any screen
    run_console(context, actor=actor, keymap=settings.keymap)


@cli.command("console")
@click.option("--allow-demo-accounts", is_flag=True,
              help="Let `ffd demo`'s accounts sign in to a store the demo did not make.")
@click.pass_context
def console_command(ctx: click.Context, allow_demo_accounts: bool) -> None:
    """Open the screening console (sign in, or stay signed in with "remember me")."""
    from dataclasses import replace

    settings = settings_from(ctx)
    if allow_demo_accounts:
        settings = replace(settings, allow_demo_accounts=True)
    _run_console(open_context(settings), settings, None)


@demo.command("seed")
@_seed_options
@_not_production_option
@click.pass_context
def demo_seed(ctx: click.Context, seed: int, as_of, contacts: int, open_: int, people: int,  # noqa: ANN001
              not_production: bool) -> None:
    """Build the synthetic county into a new, empty store (prints the demo passwords once)."""
    _seed(ctx, seed, as_of, contacts, open_, people, reuse=False, allow_postgres=not_production)


def _seed(ctx, seed, as_of, contacts, open_, people, *, reuse, allow_postgres):  # noqa: ANN001, ANN202
    from ffd_core.services.demo_store import prepare_demo_store
    from ffd_core.synthetic.county import seed_county
    from ffd_core.synthetic.demo_people import load_demo_people

    if open_ > contacts:
        raise InvalidInput(f"--open ({open_}) cannot be more than --contacts ({contacts})")
    settings = settings_from(ctx)
    if ensure_audit_key():
        console.print("Made a new audit key and kept it in the OS keyring.")
    if ensure_mail_key():
        console.print("Made a new mail key (it seals sign-in codes and links in the outbox) "
                      "and kept it in the OS keyring.")
    context = open_context(settings, check_schema=False)
    if not prepare_demo_store(context, seed=seed, allow_postgres=allow_postgres):
        if reuse:
            return None
        raise InvalidInput("the demo already seeded this store; to start again, seed into a new "
                           "database (set FFD_DATABASE_URL or FFD_DATA_DIR) or delete this one")
    as_of_date = as_of.date() if as_of else date.today()
    with progress_bars() as report:
        summary = seed_county(context, seed=seed, as_of=as_of_date, contacts_total=contacts,
                              open_total=open_, people=people, progress=report)
        # The same county's children as Framework-i and Capita ONE hold them, linked.
        linked = load_demo_people(context, cli_actor(), seed=seed, children=people,
                                  as_of=as_of_date, progress=report)
    table = Table(title="Demo accounts (random passwords, shown only now)")
    for column in ("username", "role", "password"):
        table.add_column(column)
    for username, role, password in summary.staff:
        add_plain_row(table, username, role, password)
    console.print(table)
    console.print(f"Seeded {summary.agencies} agencies, {summary.children} children in the "
                  f"county, {summary.contacts} contacts ({summary.open_contacts} open) "
                  f"as of {summary.as_of:%d/%m/%Y}; {linked.linkage.records} social care and "
                  f"education records linked into {linked.linkage.people} people "
                  "(try `ffd people search`).")
    return summary


# ------------------------------------------------------------------------------ db


@cli.group()
def db() -> None:
    """The store: migrations and status."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or migrate the schema to this version (back up first)."""
    settings = settings_from(ctx)
    done = admin.upgrade_store(settings)
    console.print(f"Schema at {', '.join(done.after)}"
                  + (f" (was {', '.join(done.before) or 'empty'})" if done.changed else " (unchanged)"))
    _say_if_index_stale(settings)


@db.command("status")
@click.pass_context
def db_status(ctx: click.Context) -> None:
    """Say whether the schema is current."""
    settings = settings_from(ctx)
    console.print(f"Schema is current ({', '.join(admin.check_store(settings))}).")
    _say_if_index_stale(settings)


def _say_if_index_stale(settings) -> None:  # noqa: ANN001
    stale = person_index.stale_index_warning(open_context(settings))
    if stale:
        notices.print(f"[yellow]{stale}[/]")


@db.command("copy")
@click.argument("target_url")
@click.pass_context
def db_copy(ctx: click.Context, target_url: str) -> None:
    """Copy the whole store into TARGET_URL (migrated, empty), e.g. SQLite to PostgreSQL."""
    from ffd_core.settings import check_database_url

    check_database_url(target_url, "TARGET_URL")  # before anything is opened or migrated
    with progress_bars() as report:
        copied = admin.copy_store_to(settings_from(ctx), target_url, report)
    console.print(f"Copied {sum(copied.values())} rows in {len(copied)} tables. Point "
                  "database_url (or FFD_DATABASE_URL) at the new database, then run "
                  "`ffd audit verify` there.")


# ------------------------------------------------------------------------------ audit, clocks


@cli.group("audit")
def audit_group() -> None:
    """The tamper-evident audit trail."""


@audit_group.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A file of checkpoints (`ffd audit checkpoint`): refuse a trail cut or rolled "
                   "back to before any of them.")
@click.pass_context
def audit_verify(ctx: click.Context, checkpoint_file: Path | None) -> None:
    """Check every event's HMAC chain and the head; name the first broken event (exit 1).

    Segments signed by earlier keys (see `ffd audit rotate-key`) are checked with those
    keys, found in FFD_AUDIT_OLD_KEYS or in the keyring as audit-key@FINGERPRINT."""
    context = open_context(settings_from(ctx))
    with progress_bars() as report:
        result, checkpoints = admin.verify_audit(
            context, cli_actor(), checkpoint_file,
            progress=lambda done, total: report(done, total, "events"))
    if result.ok:
        keys = f" under {len(result.segments)} keys" if len(result.segments) > 1 else ""
        against = f", consistent with {checkpoints} checkpoints" if checkpoints else ""
        console.print(f"[green]Audit trail intact:[/] {result.events_checked} events "
                      f"checked{keys}{against}.")
        for note in result.notes:
            console.print(f"note: {note}")
        return
    if result.first_broken_seq is None:
        console.print(f"[red]Audit trail not intact:[/] {result.problem}.", soft_wrap=True)
    else:
        console.print(f"[red]Audit trail broken at event {result.first_broken_seq}:[/] "
                      f"{result.problem}. Events before it check out ({result.events_checked}).",
                      soft_wrap=True)
    sys.exit(1)


@audit_group.command("checkpoint")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.pass_context
def audit_checkpoint(ctx: click.Context, file: Path) -> None:
    """Append the trail's end (sequence, HMAC, time) to FILE, kept outside the database.

    FILE is created readable by you only and only ever appended to; `-` prints the line
    instead (e.g. `ffd audit checkpoint - | logger -t ffd-audit`). Keep it on another
    machine or in the system log, and give it to `ffd audit verify --checkpoint`."""
    context = open_context(settings_from(ctx))
    checkpoint = admin.audit_checkpoint(context, cli_actor(), None if str(file) == "-" else file)
    if str(file) == "-":
        click.echo(checkpoint.line)
        return
    console.print(f"Checkpoint of event {checkpoint.seq} appended to {file}.", markup=False)


@audit_group.command("rotate-key")
@click.option("--new-key-stdin", is_flag=True,
              help="Read the new key from standard input (for servers using FFD_AUDIT_KEY); "
                   "otherwise a random key is made and kept in the OS keyring.")
@click.pass_context
def audit_rotate_key(ctx: click.Context, new_key_stdin: bool) -> None:
    """Start a new audit key: a boundary event signed by the old key and the new one.

    Both keys are kept in the OS keyring (the old one as audit-key@FINGERPRINT, needed to
    verify the events it signed). Writes under the old key are refused from then on."""
    from ffd_core.audit_keys import OLD_KEYS_ENV, archive_name

    context = open_context(settings_from(ctx))
    given = sys.stdin.readline() if new_key_stdin else None
    done = admin.rotate_audit_key(context, cli_actor(), given)
    console.print(f"Audit key rotated at event {done.boundary_seq}: fingerprint "
                  f"{done.old_fingerprint[:16]} -> {done.new_fingerprint[:16]}.")
    if done.kept_in_keyring:
        console.print(f"The earlier key is kept in the keyring as "
                      f"{archive_name(done.old_fingerprint)} (verify needs it).")
    else:
        console.print(f"Keep the earlier key: verify needs it in {OLD_KEYS_ENV}.")
    if done.from_environment:
        console.print("Now set FFD_AUDIT_KEY to the new key wherever ffd runs; writes under the "
                      "old key are refused.")


@cli.group("clocks")
def clocks_group() -> None:
    """The statutory and working clocks."""


@clocks_group.command("rebuild")
@click.pass_context
def clocks_rebuild(ctx: click.Context) -> None:
    """Recompute every contact's clocks from the audit trail."""
    context = open_context(settings_from(ctx))
    with progress_bars() as report:
        count = clocks.rebuild(context, cli_actor(), progress=lambda done, total: report(done, total, "contacts"))
    console.print(f"Rebuilt the clocks of {count} contacts from the audit trail.")


# ------------------------------------------------------------------------------ agencies


@cli.group()
def agency() -> None:
    """Agencies that refer to the front door."""


@agency.command("add")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice([k.value for k in AgencyKind]))
@click.option("--domain", "domains", multiple=True, help="Approved email domain (repeatable).")
@click.option("--cin-code", default=None, help="CIN referral source code, if not the kind's default.")
@click.pass_context
def agency_add(ctx: click.Context, name: str, kind: str, domains: tuple[str, ...], cin_code: str | None) -> None:
    """Add an agency."""
    context = open_context(settings_from(ctx))
    agency_id = directory.add_agency(context, cli_actor(), directory.AgencyInput(
        name, AgencyKind(kind), domains, cin_code))
    console.print(f"Added agency {agency_id}: {name}", markup=False)


@agency.command("list")
@click.pass_context
def agency_list(ctx: click.Context) -> None:
    """List agencies."""
    context = open_context(settings_from(ctx))
    table = Table()
    for column in ("id", "name", "kind", "CIN", "email domains"):
        table.add_column(column)
    for row in directory.list_agencies(context, cli_actor()):
        add_plain_row(table, str(row.id), row.name, row.kind, row.cin_source_code, " ".join(row.email_domains))
    console.print(table)


@agency.command("domains")
@click.argument("agency_name", metavar="AGENCY")
@click.option("--add", "adding", multiple=True, metavar="DOMAIN", help="Approve this email domain (repeatable).")
@click.option("--remove", "removing", multiple=True, metavar="DOMAIN", help="Stop approving it (repeatable).")
@click.pass_context
def agency_domains(ctx: click.Context, agency_name: str, adding: tuple[str, ...], removing: tuple[str, ...]) -> None:
    """Show or change the email domains an agency's people register from (name or id).

    Accounts already made keep their agency; registration follows the new list.
    """
    context = open_context(settings_from(ctx))
    agency = _agency(context, agency_name)
    domains = (directory.change_agency_domains(context, cli_actor(), agency.id, add=adding, remove=removing)
               if adding or removing else tuple(agency.email_domains or ()))
    console.print(f"{agency.name}: {' '.join(domains) or 'no email domains'}", markup=False)


@agency.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def agency_import(ctx: click.Context, file: Path) -> None:
    """Import agencies from CSV (name,kind,email_domains,cin_source_code); all or none."""
    context = open_context(settings_from(ctx))
    ids = directory.import_agencies(context, cli_actor(), file)
    console.print(f"Imported {len(ids)} agencies.")


# ------------------------------------------------------------------------------ users


@cli.group()
def user() -> None:
    """Staff and partner accounts."""


@user.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Full name as shown to colleagues.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r is not Role.SYSTEM]))
@click.option("--agency", "agency_name", required=True, help="Agency name or id (see `ffd agency list`).")
@click.option("--email", default=None)
@click.option("--team", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def user_add(ctx: click.Context, username: str, name: str, role: str, agency_name: str,
             email: str | None, team: str | None, password_stdin: bool) -> None:
    """Add a user; staff are asked for a password (hashed with argon2id)."""
    context = open_context(settings_from(ctx))
    agency_id = _agency_id(context, agency_name)
    password = None
    if Role(role) is not Role.PARTNER or password_stdin:
        password = (sys.stdin.readline().rstrip("\n") if password_stdin else
                    click.prompt("Password", hide_input=True, confirmation_prompt=True))
    user_id = directory.add_user(context, cli_actor(), directory.UserInput(
        username, name, Role(role), agency_id, password, email, team))
    console.print(f"Added user {user_id}: {username} ({role})", markup=False)


def _agency_id(context, name_or_id: str) -> int:  # noqa: ANN001
    return _agency(context, name_or_id).id


def _agency(context, name_or_id: str):  # noqa: ANN001, ANN202
    for row in directory.list_agencies(context, cli_actor()):
        if str(row.id) == name_or_id or row.name.lower() == name_or_id.lower():
            return row
    raise InvalidInput(f"no agency {name_or_id!r}; see `ffd agency list`")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List users."""
    context = open_context(settings_from(ctx))
    table = Table()
    for column in ("username", "name", "role", "agency", "active", "since"):
        table.add_column(column)
    for row in directory.list_users(context, cli_actor()):
        add_plain_row(table, row.username, row.display_name, row.role, row.agency.name,
                      "yes" if row.active else "no", format_uk_datetime(row.created_at))
    console.print(table)


@user.command("disable")
@click.argument("username")
@click.pass_context
def user_disable(ctx: click.Context, username: str) -> None:
    """Stop a user signing in (history is kept)."""
    context = open_context(settings_from(ctx))
    directory.disable_user(context, cli_actor(), username)
    console.print(f"Disabled {username}.", markup=False)


# ------------------------------------------------------------------------------ config


@cli.group("config")
def config_group() -> None:
    """Forms, threshold guidance, priority rules and reply templates (data files)."""


@config_group.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.pass_context
def config_check(ctx: click.Context, directory: Path | None) -> None:
    """Validate a council's folder over the bundled defaults; exit 1 on any problem.

    Forms whose content changed while their version did not are refused, against every
    version the store has used (when the store can be opened)."""
    from ffd_core.forms import check_config_dir
    from ffd_core.services.forms import previous_hashes

    settings = settings_from(ctx)
    directory = directory or (Path(settings.forms_dir) if settings.forms_dir else None)
    try:
        used = previous_hashes(open_context(settings))
    except Exception as error:  # noqa: BLE001 - the check still runs on the files alone
        used = {}
        notices.print(f"[yellow]note:[/] not comparing with the store ({escape(str(error))}); "
                      "form versions are checked against the files only.")
    errors = check_config_dir(directory, used)
    if errors:
        for error in errors:
            click.secho(str(error), fg="red", err=True)
        click.secho(f"{len(errors)} problem(s); nothing was changed.", fg="red", err=True)
        sys.exit(1)
    console.print(f"[green]Configuration is valid[/] ({directory or 'bundled defaults'}).")


@config_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace files that already exist.")
def config_export(directory: Path, overwrite: bool) -> None:
    """Write the bundled defaults into DIRECTORY for a council to edit."""
    from ffd_core.forms import export_defaults

    try:
        written = export_defaults(directory, overwrite=overwrite)
    except FileExistsError as error:
        raise InvalidInput(f"{error}; use --overwrite to replace them") from None
    for path in written:
        console.print(f"wrote {path}", markup=False)
    console.print(f"Edit them, run `ffd config check {directory}`, then set forms_dir = "
                  f"\"{directory}\" in the config file.")


# ------------------------------------------------------------------------------ secrets


@cli.group()
def secret() -> None:
    """Secrets kept in the OS keyring (never in files)."""


@secret.command("set")
@click.argument("name", type=click.Choice(sorted(SECRETS)))
def secret_set(name: str) -> None:
    """Store a secret in the OS keyring (or set its FFD_ environment variable instead)."""
    value = click.prompt(name, hide_input=True, confirmation_prompt=True)
    set_secret(name, value)
    console.print(f"Stored the {name} in the OS keyring.")


cli.add_command(people)
cli.add_command(worker)
cli.add_command(outbox)
cli.add_command(serve)
agency.add_command(agency_key)
cli.add_command(intake)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
