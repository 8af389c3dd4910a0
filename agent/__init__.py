"""The daemon: scheduler, job child processes, lock, host metrics and the export spool."""
