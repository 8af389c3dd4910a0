"""The kernel: the records that flow (model, status, failures), errors, the clock, paths, redaction.

Imports nothing of ours, so every package can import it."""
