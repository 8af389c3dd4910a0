"""Reports for duty staff and managers: gather plain data from the records, then render it.

A report is a function returning a frozen dataclass tree (reports.model) plus templates in
reports/templates; reports.render turns any of them into HTML, PDF, Markdown or JSON.
"""

from reports.daily import build_daily
from reports.render import FORMATS, render

__all__ = ["FORMATS", "build_daily", "render"]
