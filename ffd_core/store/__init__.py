"""The store: SQLAlchemy tables, engine set-up, unit of work, migrations and change feed."""

# Whichever store module is imported first, every table is declared and every mapper
# configured before anything can query (see all_tables).
from ffd_core.store import all_tables  # noqa: F401, E402
