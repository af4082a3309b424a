"""The store: SQLAlchemy tables, engine set-up, unit of work, migrations and change feed."""
