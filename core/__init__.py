"""The kernel: the records that flow (model, status, failures), errors, paths, redaction.

Imports nothing of ours, so every package can import it."""
