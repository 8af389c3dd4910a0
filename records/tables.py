"""Every table of the records store in one metadata: what Alembic compares the migrations with.

Each area's tables live with that area (`schema` the runs, `tickets_schema`, ...) and a module
imports only the ones it queries, so `inspect records list` does not pay for mapping the
ticket, backup and scoring tables.
"""

# Imported for their tables, which join Base.metadata when their classes are defined.
from records import (  # noqa: F401
    agent_schema,
    assessments_schema,
    backups_schema,
    scoring_schema,
    tickets_schema,
)
from records.schema import Base

metadata = Base.metadata
