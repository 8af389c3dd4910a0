"""The inventory language: YAML with lines, specs, validation, profiles, thresholds, secrets,
cron, durations, change windows and the tickets section, parsed once into typed values.

Imports only core."""
