"""The facts a reply template may use. Services fill these from the contact; anything else
a template names is refused when the configuration is checked, never discovered at send time."""

from __future__ import annotations

COMMON = {
    "reference": "The contact's reference number",
    "child_names": "The names of the children the contact is about, e.g. 'Amy Smith and Ben Smith'",
    "referrer_name": "The name of the person who made the contact",
    "council_name": "The council's name (council.yaml)",
    "edt_phone": "The emergency duty team's out-of-hours number (council.yaml)",
    "urgent_help": "The urgent-help text: call 999 in an emergency, the EDT out of hours",
    "guidance_url": "The public address of the threshold guidance",
}

# Extra facts only some messages have.
EXTRA = {
    "outcome": "The decision, in words, e.g. 'passed to early help'",
    "questions": "A list of the questions the screening officer is asking",
    "respond_by": "The date by which a reply is needed, e.g. 27/11/2026",
    "where_to_go": "For a wrong-service rejection: the service to contact instead",
}

ALL = {**COMMON, **EXTRA}

# Functions a template can call, besides the facts.
HELPERS = {"link"}

# Placeholders that hold a list, the only things a {% for %} may go through.
LISTS = {"questions"}
