"""KPI assessment of a team and its engineers over a period, computed from records only."""
