"""Reports for duty staff and managers: gather plain data from the records, then render it.

A report is a function returning a frozen dataclass tree (reports.model; daily.build_daily)
plus templates in reports/templates; reports.render turns any of them into HTML, PDF,
Markdown or JSON in any language that has a catalog (reports.i18n). Import the submodules
you need: this package stays cheap to import for the CLI.
"""
