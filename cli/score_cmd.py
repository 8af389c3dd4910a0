"""`inspect score`: the KPI assessment of a period, its explanation, and manual scores."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from cli.options import Sources, format_option, sources_options
from cli.params import FiniteRange, Period
from cli.render import table, to_json, visible
from core.catalog import Language
from core.errors import UserError
from core.phrases import phrase

period_option = click.option(
    "--period",
    "period_text",
    type=Period(),
    help="YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY. Default: the current month.",
)
tz_option = click.option(
    "--tz",
    "zone",
    help="Time zone the period's days begin in. Default: the tickets calendar's time zone.",
)


@click.group(invoke_without_command=True)
@period_option
@click.option(
    "--scheme",
    "scheme_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Scoring scheme YAML. Default: the shipped scheme (docs/scoring.md).",
)
@click.option("--engineer", "names", multiple=True, help="Only this engineer (repeatable).")
@click.option("--group", "groups", multiple=True, help="Only this target group (repeatable).")
@click.option(
    "--explain",
    "explain",
    metavar="NAME",
    help="Explain one score: an engineer's, the team's (ops) or a group's.",
)
@click.option("--publish", is_flag=True, help="Store the results as the period's assessment.")
@click.option(
    "--recompute",
    is_flag=True,
    help="Compute again from the records even if published, and replace what was published.",
)
@format_option("table", "json")
@tz_option
@sources_options
@click.pass_context
def score(
    ctx: click.Context,
    period_text: str | None,
    scheme_path: Path | None,
    names: tuple[str, ...],
    groups: tuple[str, ...],
    explain: str | None,
    publish: bool,
    recompute: bool,
    output_format: str,
    zone: str | None,
    sources: Sources,
) -> None:
    """Score the team and each engineer for a period: total, grade, pay coefficient and the
    change since the previous period. A published period is shown as stored."""
    if ctx.invoked_subcommand is not None:
        return
    from flows.assessment import assess_period
    from scoring import scheme as schemes

    setting = _Setting(sources, zone)
    period = setting.period(period_text)
    outcome = assess_period(
        setting.engine,
        setting.inventory,
        period,
        schemes.load(scheme_path),
        datetime.now(UTC),
        recompute=recompute,
        publish=publish,
    )
    if explain is not None:
        click.echo("\n".join(_explained(outcome.results, explain, period.label)))
        return
    chosen = _chosen(outcome.results, names, groups)
    if output_format == "json":
        click.echo(to_json(chosen))
        return
    say = sources.language.text
    click.echo(_table(chosen, sources.language))
    state = (
        phrase("{period}: published", period=period.label)
        if outcome.published
        else phrase("{period}: not published (--publish stores it)", period=period.label)
    )
    if outcome.from_store:
        state = phrase("{state}, as stored", state=state)
    click.echo("\n" + say(state))


class _Setting:
    """Inventory, records engine and time zone, loaded once per command."""

    def __init__(self, sources: Sources, zone: str | None):
        self.inventory = sources.inventory
        self.engine = sources.engine
        self.zone = zone or self.inventory.tickets.calendar.timezone

    def period(self, text: str | None):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from scoring.period import parse

        try:
            tz = ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(
                phrase("--tz {zone}: unknown time zone", zone=repr(self.zone))
            ) from None
        return parse(text or datetime.now(tz).strftime("%Y-%m"), tz)


def _chosen(results: list[dict[str, Any]], names, groups) -> list[dict[str, Any]]:
    """By default the team and the engineers; --engineer/--group pick subjects instead."""
    if not names and not groups:
        return [r for r in results if r["subject"]["kind"] in ("team", "engineer")]
    wanted = {("engineer", n) for n in names} | {("group", g) for g in groups}
    found = [r for r in results if (r["subject"]["kind"], r["subject"]["name"]) in wanted]
    missing = wanted - {(r["subject"]["kind"], r["subject"]["name"]) for r in found}
    if missing:
        kind, name = sorted(missing)[0]
        if kind == "group":
            said = phrase(
                "no assessment for group {name} in this period (not a group of the inventory's "
                "targets)",
                name=repr(name),
            )
        else:
            said = phrase(
                "no assessment for engineer {name} in this period (not assigned a ticket)",
                name=repr(name),
            )
        raise UserError(said)
    return found


def _explained(results: list[dict[str, Any]], name: str, label: str) -> list[str]:
    """An engineer of that name first, then the team, then a group."""
    from scoring.explain import explain_lines

    for kind in ("engineer", "team", "group"):
        for result in results:
            if result["subject"] == {"kind": kind, "name": name}:
                return explain_lines(result)
    raise UserError(
        phrase(
            "{name} has no assessment in {period} (not the team, an engineer or a group)",
            name=repr(name),
            period=label,
        )
    )


def _table(results: list[dict[str, Any]], lang: Language) -> str:
    """Grade last: its CJK names are two columns wide and would shift the columns after it."""
    rows = [
        [
            r["subject"]["kind"],
            r["subject"]["name"],
            "-" if r["total"] is None else f"{r['total']:.2f}",
            "-" if r["coefficient"] is None else f"{r['coefficient']:g}",
            "-" if r["change"] is None else f"{r['change']:+.2f}",
            lang.text(phrase("yes")) if r["progress"] else "",
            lang.text(phrase("no data")) if r["grade"] is None else r["grade"],
        ]
        for r in results
    ]
    headings = (
        phrase("KIND"),
        phrase("NAME"),
        phrase("TOTAL"),
        phrase("COEFF"),
        phrase("CHANGE"),
        phrase("PROGRESS"),
        phrase("GRADE"),
    )
    return table([lang.text(h) for h in headings], rows)


@score.group()
def manual() -> None:
    """Peer and leader ratings (0-100) that combine with the automatic score."""


@manual.command(name="add")
@click.argument("engineer")
@click.option("--rater", required=True, help="Who gives the rating (the lead, a peer).")
@click.option("--score", "value", type=FiniteRange(0, 100), required=True, help="0 to 100.")
@click.option("--period", "period_text", required=True, type=Period(), help="e.g. 2026-11.")
@sources_options
def manual_add(
    engineer: str, rater: str, value: float, period_text: str, sources: Sources
) -> None:
    """Record one rating; the same rater rating the same engineer again replaces it."""
    from records.scoring import add_manual_score

    now = datetime.now(UTC)
    replaced = add_manual_score(sources.engine, period_text, engineer, rater, value, now)
    said = (
        phrase("replaced: {rater} rates {engineer} {score} for {period}",
               rater=rater, engineer=engineer, score=f"{value:g}", period=period_text)
        if replaced
        else phrase("recorded: {rater} rates {engineer} {score} for {period}",
                    rater=rater, engineer=engineer, score=f"{value:g}", period=period_text)
    )
    click.echo(visible(sources.language.text(said)))


@manual.command(name="list")
@click.option("--period", "period_text", required=True, type=Period(), help="e.g. 2026-11.")
@format_option("table", "json")
@sources_options
def manual_list(period_text: str, output_format: str, sources: Sources) -> None:
    """The ratings entered for a period."""
    from records.scoring import manual_scores

    entries = manual_scores(sources.engine, period_text)
    if output_format == "json":
        rows = [
            {
                "engineer": e.engineer,
                "rater": e.rater,
                "score": e.score,
                "entered_at": e.entered_at.isoformat(),
            }
            for e in entries
        ]
        click.echo(to_json(rows))
        return
    headings = (phrase("ENGINEER"), phrase("RATER"), phrase("SCORE"), phrase("ENTERED"))
    click.echo(
        table(
            [sources.language.text(h) for h in headings],
            [[e.engineer, e.rater, f"{e.score:g}", e.entered_at.isoformat()] for e in entries],
        )
    )
