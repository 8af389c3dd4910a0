"""`inspect serve`: the duty team's browser console and its JSON API over the records store.

Server-rendered pages (Jinja2, escaped by default, no scripts inline, nothing from a CDN) and
`/api/v1` answer from the same views and the same one owner of each rule: ticket actions go
through tickets.lifecycle, SLA states through tickets.sla, reports through reports/.
"""
