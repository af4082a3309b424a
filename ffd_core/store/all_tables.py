"""Imports every table module so Base.metadata is complete (migrations, schema checks)."""

import importlib

from ffd_core.store import tables  # noqa: F401

# Tables that arrive with later features register themselves here when present.
for _module in ("ffd_core.store.people_tables", "ffd_core.store.forms_tables",
                "ffd_core.store.web_tables"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as error:
        if error.name != _module:
            raise
