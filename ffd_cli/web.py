"""`ffd serve` (the web endpoint and partner API, on uvicorn) and `ffd agency key ...`."""

from __future__ import annotations

import threading
import time

import click
from rich.table import Table

from ffd_cli.progress import console
from ffd_cli.runtime import FriendlyError, cli_actor, open_context, settings_from
from ffd_core.clock import format_uk_datetime
from ffd_core.errors import InvalidInput
from ffd_core.services import api_keys
from ffd_tui.plain import add_plain_row

# How long the demo waits for its endpoint to listen (it takes well under a second; a
# loaded machine may take much longer).
STARTUP_CEILING_SECONDS = 60


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (put a TLS-terminating proxy in front for the internet).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Serve HTTPS with this certificate (PEM); cookies then get __Host- and Secure.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The certificate's private key (PEM).")
@click.option("--proxy", "proxies", multiple=True,
              help="Address of a reverse proxy whose X-Forwarded-For/-Proto to trust (repeatable).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, certfile: str | None, keyfile: str | None,
          proxies: tuple[str, ...]) -> None:
    """Run the web endpoint for partners and the JSON API for their systems.

    Emailed links point at the web_base_url setting (else this address). Emails are
    queued in the outbox and sent by the outbox worker."""
    from ffd_web.app import create_app

    if bool(certfile) != bool(keyfile):
        raise InvalidInput("give both --certfile and --keyfile for HTTPS, or neither")
    settings = settings_from(ctx)
    context = open_context(settings)
    _ = context.config  # an invalid council folder stops here, every problem named
    _ = context.mail_sealer  # so does a missing mail key: no sign-in code could be sealed
    scheme = "https" if certfile else "http"
    app = create_app(context, base_url=f"{scheme}://{host}:{port}",
                     secure=bool(certfile) or settings.web_base_url.startswith("https://"))
    console.print(f"Family Front Door web endpoint on {scheme}://{host}:{port} "
                  f"(API document: /api/schema/openapi.json). Ctrl+C stops it.")
    web_server(app, host, port, ssl_certfile=certfile, ssl_keyfile=keyfile,
               proxy_headers=bool(proxies), forwarded_allow_ips=list(proxies) or None).run()


def web_server(app, host: str, port: int, **options):  # noqa: ANN001, ANN003, ANN201
    """uvicorn as ffd serves the endpoint: no server banner, quiet logs."""
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, server_header=False,
                                         log_level="warning", **options))


def start_beside(context, host: str = "127.0.0.1", port: int = 8080):  # noqa: ANN001, ANN201
    """Run the web endpoint in a background thread (for `ffd demo`); returns (its address,
    the server: set ``should_exit`` to stop it) once it is listening. A port already taken (another demo, say) stops the demo here,
    before a banner sends anyone to a different store's endpoint."""
    from ffd_web.app import create_app

    server = web_server(create_app(context, base_url=f"http://{host}:{port}"), host, port)
    server.install_signal_handlers = lambda: None  # the console owns the terminal's signals
    thread = threading.Thread(target=_run_until_refused, args=(server,), name="ffd-web",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_CEILING_SECONDS
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        server.should_exit = True
        raise FriendlyError(f"the web endpoint could not listen on {host}:{port} (is another "
                            "`ffd demo` or `ffd serve` using it?); stop that one, or choose "
                            "another port with `ffd demo --web-port PORT`")
    return f"http://{host}:{port}", server


def _run_until_refused(server) -> None:  # noqa: ANN001
    """uvicorn exits its thread when the port is taken (it has logged why): the caller sees
    that it never started."""
    try:
        server.run()
    except SystemExit:
        pass


@click.group("key")
def agency_key() -> None:
    """API keys for partner systems (shown once, stored as a hash, revocable)."""


@agency_key.command("create")
@click.argument("agency_name")
@click.option("--label", default="API key", show_default=True, help="What the key is for, e.g. 'Niche RMS'.")
@click.pass_context
def key_create(ctx: click.Context, agency_name: str, label: str) -> None:
    """Make a key for AGENCY_NAME (name or id); it is shown only now."""
    from ffd_cli.main import _agency_id

    context = open_context(settings_from(ctx))
    agency_id = _agency_id(context, agency_name)
    key = api_keys.create_key(context, cli_actor(), agency_id, label)
    console.print("API key (shown only now; keep it in the partner system's secret store):")
    click.echo(key)


@agency_key.command("list")
@click.pass_context
def key_list(ctx: click.Context) -> None:
    """List keys (their prefixes, never the keys)."""
    context = open_context(settings_from(ctx))
    table = Table()
    for column in ("prefix", "agency", "label", "created", "last used", "revoked"):
        table.add_column(column)
    for row in api_keys.list_keys(context, cli_actor()):
        add_plain_row(table, row.prefix, row.agency, row.label, format_uk_datetime(row.created_at),
                      format_uk_datetime(row.last_used_at) if row.last_used_at else "",
                      format_uk_datetime(row.revoked_at) if row.revoked_at else "")
    console.print(table)


@agency_key.command("revoke")
@click.argument("prefix")
@click.pass_context
def key_revoke(ctx: click.Context, prefix: str) -> None:
    """Stop a key at once (its next call is refused)."""
    context = open_context(settings_from(ctx))
    api_keys.revoke_key(context, cli_actor(), prefix)
    console.print(f"Revoked key {prefix}.")
