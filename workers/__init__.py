"""`inspect worker --zone Z`: a Celery worker that inspects the targets of its network zone
for a server elsewhere (flows/zones.py publishes the tasks; docs/central.md)."""
