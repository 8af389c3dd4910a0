"""A small hand-computed assessment, asserted exactly, and the scheme's validation."""

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import UserError
from scoring import scheme as schemes
from scoring.assess import assess, progressed
from scoring.facts import BackupFact, Facts, ManualScore, PlannedInspection, TicketFact
from scoring.kpis import Subject
from scoring.period import parse

NOV = parse("2026-11")
LI = Subject("engineer", "li.na")


def ticket(
    n,
    grade="C",
    ack_late=False,
    resolved=True,
    resolved_late=False,
    rating=5,
    report_late=False,
    suppressed=False,
    assignee="li.na",
):
    opened = datetime(2026, 11, n, 9, 0, tzinfo=UTC)
    resolved_at = opened + timedelta(hours=5 if resolved_late else 2)
    return TicketFact(
        id=f"T{n}",
        fingerprint=f"web0{n}|disk|/var",
        target=f"web0{n}",
        grade=grade,
        opened_at=opened,
        assignee=assignee,
        acknowledged_at=opened + timedelta(minutes=20 if ack_late else 10),
        response_due=opened + timedelta(minutes=15),
        resolved_at=resolved_at if resolved else None,
        resolution_due=opened + timedelta(hours=4),
        rating=rating,
        fault_report_at=resolved_at + timedelta(hours=30 if report_late else 3),
        suppressed=suppressed,
    )


HISTORY = Facts(
    tickets=(
        ticket(1, grade="A"),
        ticket(2, grade="B"),
        ticket(3, ack_late=True),
        ticket(4, resolved_late=True),
        ticket(5, rating=2),
        ticket(6),
        ticket(7),
        ticket(8),
        ticket(9),
        ticket(10, resolved=False, rating=None),
        ticket(11, ack_late=True, rating=1, suppressed=True),  # maintenance: excluded
        ticket(12, ack_late=True, assignee="wang.fang"),  # someone else's
    ),
    plans=tuple(
        PlannedInspection(
            f"P{i}", datetime(2026, 11, 1 + i // 3, 8 + 6 * (i % 3), tzinfo=UTC), True, f"run{i}"
        )
        for i in range(20)
    ),
    backups=tuple(BackupFact(f"B{i}", "db01", ok=True) for i in range(10)),
    manual=tuple(
        ManualScore("li.na", rater, score)
        for rater, score in [("lead", 90), ("peer1", 80), ("peer2", 70), ("peer3", 60)]
    ),
)


def test_hand_computed_engineer_assessment():
    result = assess(HISTORY, NOV, LI, schemes.load())
    by_name = {s.kpi.name: s for s in result.kpis}
    assert by_name["inspection_completion"].kpi.value == 100.0
    assert by_name["response_on_time"].kpi.value == 90.0  # T3 late of 10
    assert by_name["response_on_time"].points == pytest.approx(10.0)
    assert by_name["resolution_rate"].kpi.value == 90.0  # T10 still open
    assert by_name["resolution_rate"].points == pytest.approx(5.0)
    # T4 resolved late and T10 still open past its deadline: both breached their resolution
    assert by_name["resolution_on_time"].kpi.value == 80.0
    assert by_name["resolution_on_time"].kpi.missed == ("T4", "T10")
    assert by_name["resolution_on_time"].points == 0.0
    assert by_name["satisfaction"].kpi.value == pytest.approx(42 / 45 * 100)  # (8x5 + 2) / 9 / 5
    assert by_name["satisfaction"].points == 15
    assert by_name["fault_report_on_time"].kpi.value == 100.0
    assert by_name["backup_success"].points == 10
    deductions = {d.name: d for d in result.deductions}
    assert deductions["response_breach"].evidence == ("T3",)
    assert deductions["complaint"].evidence == ("T5",)
    assert deductions["missed_inspection"].evidence == ()
    assert result.automatic == 64.0  # 70 earned - 1 - 5
    assert result.manual == 75.0  # (80 + 70) / 2: highest and lowest dropped
    assert result.total == 67.3  # 64 x 0.7 + 75 x 0.3
    assert result.grade == "不合格"
    assert result.coefficient == 0.5  # below 70
    # T12 only: 70 of the 90 points with data (no fault report owed), less one breach
    other = assess(HISTORY, NOV, Subject("engineer", "wang.fang"), schemes.load())
    assert (other.total, other.grade, other.coefficient) == (76.78, "合格", 0.7678)


def test_team_and_grade_bands():
    scheme = schemes.load()
    assert [scheme.grade(s) for s in (95, 90, 85, 72, 69.99)] == [
        "优秀",
        "优秀",
        "良好",
        "合格",
        "不合格",
    ]
    assert [scheme.coefficients.of(s) for s in (80, 75, 69)] == [1.0, 0.75, 0.5]
    team = assess(HISTORY, NOV, Subject("team", "ops"), scheme)
    assert team.manual is None
    assert {s.kpi.name: s.kpi.denominator for s in team.kpis}["response_on_time"] == 11


def test_missed_inspection_and_progress_flag():
    plans = tuple(
        PlannedInspection(f"P{i}", datetime(2026, 11, 2, i, tzinfo=UTC), i != 3) for i in range(20)
    )
    scheme = schemes.load()
    result = assess(Facts(plans=plans), NOV, Subject("team", "ops"), scheme, previous_total=40)
    (missed,) = [d for d in result.deductions if d.name == "missed_inspection"]
    assert missed.evidence == ("P3",)
    assert result.total == 48.0  # 95 % completion earns half its weight, minus 2
    assert result.change == 8.0 and progressed(result, scheme)
    assert not progressed(
        assess(Facts(plans=plans), NOV, Subject("team", "ops"), scheme, previous_total=44), scheme
    )


def test_nothing_to_judge_is_no_data_not_a_full_score():
    """An empty period publishes no score, grade or coefficient (not 100 / 优秀 / full pay);
    ratings alone are a score of their own."""
    scheme = schemes.load()
    empty = assess(Facts(), NOV, LI, scheme, previous_total=80)
    assert (empty.automatic, empty.total, empty.grade, empty.coefficient) == (None,) * 4
    assert empty.change is None and all(s.points is None for s in empty.kpis)
    rated = Facts(manual=(ManualScore("li.na", "lead", 85),))
    only = assess(rated, NOV, LI, scheme)
    assert (only.automatic, only.total, only.grade, only.coefficient) == (None, 85, "良好", 1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "kpis:\n  satisfaction: {weight: 60, target: 90, floor: 60}\n"
            "  response_on_time: {weight: 30, target: 100, floor: 80}\n"
            "bands: [{name: A, min: 0}]\n",
            "scheme.yaml:1: kpis: weights sum to 90, expected 100",
        ),
        (
            "kpis:\n  happiness: {weight: 100, target: 1, floor: 0}\nbands: []\n",
            "scheme.yaml:2: kpis.happiness",
        ),
        (
            "kpis:\n  mttr: {weight: ten, target: 30, floor: 240}\nbands: []\n",
            'scheme.yaml:2: kpis.mttr.weight: expected a number, got "ten"',
        ),
    ],
)
def test_scheme_errors_name_file_line_and_key(tmp_path, text, message):
    path = tmp_path / "scheme.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as caught:
        schemes.load(path)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2026-11", "2026-11-01", "2026-12-01"),
        ("2026-Q4", "2026-10-01", "2027-01-01"),
        ("2026-W45", "2026-11-02", "2026-11-09"),
        ("2026-11-02", "2026-11-02", "2026-11-03"),
        ("2026", "2026-01-01", "2027-01-01"),
    ],
)
def test_periods(label, start, end):
    period = parse(label)
    assert (period.start.date().isoformat(), period.end.date().isoformat()) == (start, end)


def test_previous_period_and_bad_period():
    assert parse("2026-01").previous().label == "2025-12"
    assert parse("2026-Q1").previous().label == "2025-Q4"
    with pytest.raises(UserError, match="expected YYYY-MM-DD"):
        parse("2026-13")


def test_explanation_names_the_records_behind_each_point():
    from scoring.explain import as_dict, explain_lines

    detail = as_dict(assess(HISTORY, NOV, LI, schemes.load()), schemes.load())
    text = "\n".join(explain_lines(detail))
    assert "response_on_time: 9/10 = 90.00% -> 10.00 of 20 points; against: T3" in text
    assert "deduction complaint: -5 (5 each: T5)" in text
    assert "deduction response_breach: -1 (1 each: T3)" in text
    assert text.startswith("engineer li.na, 2026-11: 67.30 不合格, coefficient 0.5")
