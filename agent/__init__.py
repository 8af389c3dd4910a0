"""Orchestration: the runner (fan-out under per-target deadlines), scheduler, exporters."""
