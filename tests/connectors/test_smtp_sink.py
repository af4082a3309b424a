"""The demo's SMTP sink keeps every message it accepts, one file each, in a Maildir."""

from __future__ import annotations

import mailbox
import smtplib
from email.message import EmailMessage


def test_the_sink_keeps_each_message_even_in_a_folder_that_already_exists(tmp_path):
    from ffd_core.connectors.smtp_sink import LocalSink

    sink = LocalSink(tmp_path).start()  # tmp_path exists and is empty
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@x.example", "b@y.example", "Hello"
        message.set_content("Kept.")
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
            smtp.send_message(message)
    finally:
        sink.stop()
    [kept] = list(mailbox.Maildir(tmp_path, create=False))
    assert kept["Subject"] == "Hello" and kept.get_payload().strip() == "Kept."
