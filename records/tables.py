"""Every table of the records store in one metadata: what Alembic compares the migrations
against. The schema modules import only the base (records/schema.py), never this gatherer, so
their imports form no cycle."""

from records import (
    agent_schema,
    assessments_schema,
    backups_schema,
    console_schema,
    schema,
    scoring_schema,
    tickets_schema,
)

MODULES = (schema, agent_schema, assessments_schema, backups_schema, console_schema,
           scoring_schema, tickets_schema)
metadata = schema.Base.metadata
