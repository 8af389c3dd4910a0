"""Shared types, inventory and settings loading, thresholds and secrets. Imports nothing of ours."""
