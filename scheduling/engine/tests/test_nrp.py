"""The Shift Scheduling Benchmark adapter: parser, roster files, evaluator, command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scheduling.engine import cpsat
from scheduling.engine.model import SolveStatus
from scheduling.engine.nrp import (
    NrpFormatError,
    evaluate,
    format_roster,
    parse_instance,
    read_roster,
    roster_from_assignments,
    to_problem,
)
from scheduling.engine.nrp.__main__ import main
from scheduling.engine.nrp.roster import assignments_from_roster
from scheduling.engine.validator import validate

# The repository's parent holds shared/ (CI puts a copy beside its clone).
SHARED = Path(__file__).resolve().parents[3].parent / "shared/benchmarks/schedulingbenchmarks_nrp"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"shared benchmark instances not found at {SHARED}"
)

TINY = """\
# a hand-made instance in the benchmark's format
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,600,D

SECTION_STAFF
A,D=7|N=3,3000,960,4,2,2,1
B,D=7|N=0,3000,0,4,1,1,1

SECTION_DAYS_OFF
A,3

SECTION_SHIFT_ON_REQUESTS
B,0,D,2

SECTION_SHIFT_OFF_REQUESTS
A,5,N,3

SECTION_COVER
0,D,1,100,1
1,N,1,100,1
2,D,2,100,1
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "Tiny.txt"
    path.write_text(TINY)
    return path


def best_known() -> dict[str, dict[str, str]]:
    with open(SHARED / "best_known.csv") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


@needs_shared
def test_it_solves_instance1_to_the_proven_optimum_607() -> None:
    instance = parse_instance(SHARED / "Instance1.txt")
    solution = cpsat.solve(to_problem(instance), time_limit=30, seed=0, workers=1)
    assert solution.status == SolveStatus.OPTIMAL
    assert solution.objective == 607
    roster = roster_from_assignments(instance, solution.assignments)
    assert evaluate(instance, roster).objective == 607 and evaluate(instance, roster).feasible


@needs_shared
def test_it_parses_every_shared_instance() -> None:
    known = best_known()
    assert len(known) == 12
    for name, row in known.items():
        instance = parse_instance(SHARED / f"{name}.txt")
        assert instance.days == int(row["days"])
        assert len(instance.staff) == int(row["staff"])
        assert len(instance.shifts) == int(row["shift_types"])
        assert instance.cover


def test_it_parses_the_sections(tiny: Path) -> None:
    instance = parse_instance(tiny)
    assert (
        instance.days == 7 and instance.shift_ids == ("D", "N") and instance.staff_ids == ("A", "B")
    )
    assert instance.shifts[1].forbidden_next == ("D",)
    assert instance.staff[0].max_shifts == {"D": 7, "N": 3}
    assert instance.days_off == {"A": frozenset({3})}
    assert instance.on_requests[0].weight == 2 and instance.off_requests[0].shift == "N"


def test_evaluator_agrees_with_the_generic_validator_on_a_solved_roster(tiny: Path) -> None:
    instance = parse_instance(tiny)
    problem = to_problem(instance)
    solution = cpsat.solve(problem, time_limit=10, workers=1)
    roster = roster_from_assignments(instance, solution.assignments)
    mine = evaluate(instance, roster)
    report = validate(problem, solution.assignments)
    assert mine.feasible and report.is_valid
    assert mine.objective == report.objective == solution.objective


def test_evaluator_and_validator_both_see_broken_rules(tiny: Path) -> None:
    instance = parse_instance(tiny)
    roster: dict[str, list[str | None]] = {
        "A": ["D", None, "D", "D", None, "N", "D"],
        "B": [None] * 7,
    }
    mine = evaluate(instance, roster)
    report = validate(to_problem(instance), assignments_from_roster(roster))
    # Day off on day 3, N then D, a one-day run on day 2..3 is fine (2 days), N->D on 5->6.
    assert not mine.feasible and not report.is_valid
    assert mine.objective == report.objective


def test_it_round_trips_a_roster(tiny: Path, tmp_path: Path) -> None:
    instance = parse_instance(tiny)
    roster = {"A": ["D", "N", None, None, "D", "D", None], "B": [None, None, "D"] + [None] * 4}
    path = tmp_path / "roster.tsv"
    path.write_text(format_roster(instance, roster))
    assert read_roster(path, instance) == roster
    assert path.read_text().splitlines()[0] == "A\tD\tN\t\t\tD\tD\t"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (TINY.replace("SECTION_HORIZON\n7", "SECTION_HORIZON\nseven"), 3, "number of days"),
        (TINY.replace("N,600,D", "N,600,X"), 7, "unknown shift 'X'"),
        (TINY.replace("A,3\n", "Z,3\n"), 14, "unknown staff 'Z'"),
        (TINY.replace("2,D,2,100,1", "9,D,2,100,1"), 25, "outside the horizon"),
        (TINY.replace("B,0,D,2", "B,0,D"), 17, "4 comma-separated fields"),
        (TINY.replace("SECTION_COVER", "SECTION_KOVER"), 22, "unknown section"),
    ],
)
def test_malformed_instances_name_file_line_and_problem(
    tiny: Path, text: str, line: int, problem: str
) -> None:
    tiny.write_text(text)
    with pytest.raises(NrpFormatError) as caught:
        parse_instance(tiny)
    assert caught.value.line == line
    assert problem in str(caught.value) and str(tiny) in str(caught.value)


@pytest.mark.parametrize(
    ("roster", "problem"),
    [
        ("A\tD\nZ\tD\n", "unknown staff id 'Z'"),
        ("A\tD\nA\tD\nB\n", "appears twice"),
        ("A\tX\nB\n", "unknown shift id 'X'"),
        ("A" + "\tD" * 8 + "\nB\n", "8 day cells"),
        ("A\tD\n", "no line for staff B"),
    ],
)
def test_malformed_rosters_are_named_errors(
    tiny: Path, tmp_path: Path, roster: str, problem: str
) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(roster)
    with pytest.raises(NrpFormatError) as caught:
        read_roster(path, parse_instance(tiny))
    assert problem in str(caught.value) and str(path) in str(caught.value)


def test_cli_solves_and_evaluates(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "roster.tsv"
    assert main(["solve", str(tiny), "--time-limit", "5", "--workers", "1", "--out", str(out)]) == 0
    assert main(["evaluate", str(tiny), str(out)]) == 0
    assert capsys.readouterr().out.startswith("objective ")


def test_cli_lists_hard_violations_and_exits_1(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "roster.tsv"
    out.write_text("A\t\t\t\tD\nB\n")
    assert main(["evaluate", str(tiny), str(out)]) == 1
    assert "day off" in capsys.readouterr().out


def test_cli_reports_malformed_files_with_exit_2(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny.write_text(TINY.replace("D,480,", "D,long,"))
    assert main(["solve", str(tiny), "--time-limit", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{tiny}:6:" in err and "Traceback" not in err
    assert main(["evaluate", str(tmp_path / "missing.txt"), str(tiny)]) == 2
