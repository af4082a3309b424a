"""Documents on drafts: limits from settings, type by content, zip bombs, another person's
document, safe downloads, and the virus scan with a real clamd (Debian's ClamAV with a
one-line signature database for the EICAR test file: no signature mirror is reachable)."""

from __future__ import annotations

import io
import zipfile

import pytest

from ffd_core.domain.vocab import AgencyKind
from tests.clamd import EICAR
from tests.web.conftest import add_partner, csrf, sign_in, with_settings
from tests.web.forms_helpers import example, fill, start_draft

PDF = b"%PDF-1.4\n% a chronology\n" + b"0" * 1000


def upload(client, key, name, data, media_type="application/octet-stream"):  # noqa: ANN001, ANN201
    return client.post(f"/drafts/{key}/documents", data={"_csrf_token": csrf(client)},
                       files={"file": (name, data, media_type)})


@pytest.fixture
def draft(client, web_ctx):  # noqa: ANN001, ANN201
    sign_in(client, web_ctx)
    return start_draft(client)


def test_a_document_is_kept_on_the_draft_and_sent_with_it(client, web_ctx, draft):
    assert upload(client, draft, "chronology.pdf", PDF).status_code == 302
    page = client.get(f"/drafts/{draft}/documents").text
    assert "chronology.pdf" in page
    download = client.get(f"/drafts/{draft}/documents/1")
    assert download.content == PDF and download.headers["content-disposition"].startswith("attachment;")
    fill(client, web_ctx, draft, example(web_ctx))
    reference = client.post(f"/drafts/{draft}/send", data={"_csrf_token": csrf(client)}
                            ).headers["location"].split("/")[2]
    page = client.get(f"/submissions/{reference}").text
    assert "chronology.pdf" in page


def test_files_are_checked_by_content_not_by_name(client, draft):
    response = upload(client, draft, "photo.jpg", PDF, "image/jpeg")
    assert response.status_code == 200 and "does not look like its name says" in response.text
    response = upload(client, draft, "tool.pdf", b"MZ\x90\x00\x03" + bytes(range(256)) * 4)
    assert "is not a PDF, Word document" in response.text
    assert "tool.pdf" not in client.get(f"/drafts/{draft}/documents").text.split("Upload a file")[0]


def test_a_zip_bomb_dressed_as_a_word_document_is_refused(client, draft):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    response = upload(client, draft, "report.docx", buffer.getvalue())
    assert response.status_code == 200 and "zip bomb" in response.text
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    assert "must be a Word document" in upload(client, draft, "letter.docx", plain_zip.getvalue()).text


def test_size_limits_come_from_the_settings(client, web_ctx, draft):
    with_settings(web_ctx, attachment_max_mb=1, contact_attachments_max_mb=1)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = upload(client, draft, "big.pdf", big)
    assert response.status_code == 200 and "must be smaller than 1 MB" in response.text
    half = b"%PDF-1.4\n" + b"0" * (600 * 1024)
    assert upload(client, draft, "one.pdf", half).status_code == 302
    assert "smaller than 1 MB in total" in upload(client, draft, "two.pdf", half).text


def test_a_body_over_the_route_limit_is_refused_before_it_is_read(client, draft):
    huge = b"%PDF-1.4\n" + b"0" * (12 * 1024 * 1024)  # the default limit is 10 MB a file
    response = upload(client, draft, "huge.pdf", huge)
    assert response.status_code == 413


def test_another_persons_draft_documents_are_not_found(client, other_client, web_ctx, draft):
    upload(client, draft, "chronology.pdf", PDF)
    add_partner(web_ctx, "Hawthorn Primary School", AgencyKind.SCHOOL, "dsl2", "dsl2@hawthorn.sch.example")
    sign_in(other_client, web_ctx, "dsl2@hawthorn.sch.example")
    assert other_client.get(f"/drafts/{draft}/documents/1").status_code == 404
    assert upload(other_client, draft, "x.pdf", PDF).status_code == 404
    removed = other_client.post(f"/drafts/{draft}/documents/1/delete",
                                data={"_csrf_token": csrf(other_client)})
    assert removed.status_code == 404
    assert client.get(f"/drafts/{draft}/documents/1").status_code == 200


# ------------------------------------------------------------------------------ virus scanning


def test_a_virus_is_refused_with_the_gov_uk_wording(client, web_ctx, draft, clamd):
    with_settings(web_ctx, clamd_address=clamd)
    response = upload(client, draft, "eicar.txt", EICAR)
    assert response.status_code == 200 and "eicar.txt contains a virus" in response.text
    assert upload(client, draft, "clean.txt", b"Nothing to see here.").status_code == 302


def test_an_unreachable_scanner_refuses_rather_than_lets_through(client, web_ctx, draft, tmp_path):
    with_settings(web_ctx, clamd_address=str(tmp_path / "no-such.sock"))
    response = upload(client, draft, "clean.txt", b"Nothing to see here.")
    assert "could not be checked for viruses" in response.text
