"""What an attacker on the network would try: strip STARTTLS, present a certificate we do
not trust, or catch a password sent in clear. Real TLS servers on loopback."""

from __future__ import annotations

import ssl
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address

import pytest
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ffd_core.connectors.email import EmailSender
from ffd_core.connectors.outbox_worker import Worker
from ffd_core.errors import ConfigurationError
from ffd_core.services import contacts
from ffd_core.services.context import Context
from ffd_core.services.deliveries import list_outbox
from ffd_core.services.context import SYSTEM
from ffd_core.settings import delivery_problem
from tests.connectors.smtp_server import SmtpServer
from tests.factories import new_contact

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # about SMTP, not the store


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:  # noqa: ANN001
    """A self-signed certificate for 127.0.0.1: (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ffd test relay")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "relay.pem", folder / "relay.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


def server_tls(certificate) -> ssl.SSLContext:  # noqa: ANN001
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def send(ctx, people, server: SmtpServer, **settings) -> str:  # noqa: ANN001, ANN003
    """Submit one contact and run a worker pass with these SMTP settings; the row's state."""
    worker_ctx = Context(ctx.engine, replace(ctx.settings, smtp_port=server.port, **settings),
                         ctx.audit_key, ctx.clock)
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    with Worker(worker_ctx, [EmailSender(worker_ctx)], run_jobs=False) as worker:
        worker.run_pass()
    return list_outbox(ctx, SYSTEM)[0]


@pytest.mark.parametrize("security, server_option", [("starttls", "tls_context"),
                                                     ("tls", "ssl_context")])
def test_tls_with_a_trusted_certificate_delivers(ctx, people, certificate, security, server_option):
    server = SmtpServer(**{server_option: server_tls(certificate)}).start()
    try:
        row = send(ctx, people, server, smtp_security=security, smtp_ca_file=certificate[0])
    finally:
        server.stop()
    assert row.state == "sent" and len(server.received) == 1


def test_a_certificate_we_do_not_trust_gets_nothing(ctx, people, certificate):
    server = SmtpServer(tls_context=server_tls(certificate), require_starttls=True).start()
    try:
        row = send(ctx, people, server, smtp_security="starttls")  # the system's CAs only
    finally:
        server.stop()
    assert server.received == [] and row.state == "pending"
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error


def test_a_server_without_starttls_gets_nothing_when_starttls_is_required(ctx, people, smtp_server):
    row = send(ctx, people, smtp_server, smtp_security="starttls")
    assert smtp_server.received == [] and row.state == "pending"
    assert "does not offer STARTTLS" in row.last_error


def test_login_happens_only_inside_tls_with_the_password_from_the_environment(
        ctx, people, certificate, monkeypatch):
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
        seen.append((auth_data.login, auth_data.password, session.ssl is not None))
        return AuthResult(success=auth_data.password == b"relay-secret", handled=False)

    server = SmtpServer(tls_context=server_tls(certificate), require_starttls=True,
                        authenticator=authenticator, auth_required=True).start()
    try:
        monkeypatch.setenv("FFD_SMTP_PASSWORD", "wrong")
        refused = send(ctx, people, server, smtp_security="starttls",
                       smtp_ca_file=certificate[0], smtp_username="ffd")
        assert refused.state == "pending" and "535" in refused.last_error
        monkeypatch.setenv("FFD_SMTP_PASSWORD", "relay-secret")
        ctx.clock.advance(hours=2)
        row = send(ctx, people, server, smtp_security="starttls",
                   smtp_ca_file=certificate[0], smtp_username="ffd")
    finally:
        server.stop()
    assert row.state == "sent" and len(server.received) == 2
    assert all(inside_tls for _login, _password, inside_tls in seen)  # never in clear
    assert {password for _login, password, _tls in seen} == {b"wrong", b"relay-secret"}


def test_no_plaintext_smtp_off_this_machine(ctx, monkeypatch):
    remote = replace(ctx.settings, smtp_host="smtp.council.example", smtp_security="none")
    assert "unencrypted" in delivery_problem(remote)
    monkeypatch.delenv("FFD_SMTP_PASSWORD", raising=False)
    with pytest.raises(ConfigurationError, match="smtp-password"):
        EmailSender(Context(ctx.engine, replace(remote, smtp_security="starttls",
                                                smtp_username="ffd"), ctx.audit_key, ctx.clock))
