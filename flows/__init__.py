"""The engine: one inspection (fan-out under per-target deadlines, one exception boundary) and
one backup round, called alike by the CLI and the agent's job children. Imports nothing here,
so a caller pays only for the flow it runs (a local `inspect run` never loads the records ORM)."""
