"""Imports every table module so Base.metadata is complete (migrations, schema checks), then
configures the ORM mappers once, here, while one thread imports the store.

Left to SQLAlchemy, mappers are configured by the first query that needs them, and again
whenever a table module imported later (the person index, form snapshots) declares new
ones: two threads doing that at once (the console's worker and its screen, a server's
requests) can each see half-configured mappers.
"""

import importlib

from sqlalchemy.orm import configure_mappers

from ffd_core.store import tables  # noqa: F401

# Tables that arrive with later features register themselves here when present.
for _module in ("ffd_core.store.people_tables", "ffd_core.store.forms_tables",
                "ffd_core.store.web_tables"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as error:
        if error.name != _module:
            raise

configure_mappers()
