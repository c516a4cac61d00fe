from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scheduling.engine.rotation.scenarios import plan_scenario, scenario_witness
from scheduling.engine.rotation.validator import validate_plan

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize("size", [24, 90, 150])
def test_it_builds_a_year_of_thirteen_blocks_for_every_size(size: int) -> None:
    problem = plan_scenario(size)
    assert len(problem.residents) == size
    assert len(problem.blocks) == 13
    assert problem.pgy_levels == (1, 2, 3)


@pytest.mark.parametrize(("size", "seed"), [(24, 0), (90, 0), (150, 0), (90, 5)])
def test_it_is_feasible_by_construction(size: int, seed: int) -> None:
    problem = plan_scenario(size, seed)
    report = validate_plan(problem, scenario_witness(size, seed))
    assert report.valid, report.violations[:3]


def test_it_uses_every_kind_of_rule() -> None:
    problem = plan_scenario(90)
    assert {leave.approved for leave in problem.leave} == {True, False}
    assert {p.weight > 0 for p in problem.preferences} == {True, False}
    assert {r.kind for r in problem.sequencing} == {"before", "max_consecutive", "not_followed_by"}
    assert any(lock.half for lock in problem.locks)
    assert any(c.pgy_levels for c in problem.capacities)


def test_it_is_reproducible_for_a_seed() -> None:
    assert plan_scenario(24, 3) == plan_scenario(24, 3)
    assert plan_scenario(24, 3) != plan_scenario(24, 4)


@pytest.mark.parametrize("module", ["cpsat", "mip", "scenarios", "validator", "precheck"])
def test_it_does_not_import_django(module: str) -> None:
    code = (
        f"import sys, scheduling.engine.rotation.{module}; "
        "assert 'django' not in sys.modules, 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
