"""How much column generation costs, and what the relaxation does about it (issue 20): the
master's simplex follows what changed since its last solve, and the relaxation on the solve path
gives its core back when its first round shows that its share affords too few rounds, and its
IP gets no more than the solve's stall patience."""

from __future__ import annotations

import io
import math
import pickle
from pathlib import Path
from time import perf_counter

import numpy as np
import pytest

from scheduling.engine.colgen import master as master_module
from scheduling.engine.colgen import relax
from scheduling.engine.colgen import run as generic
from scheduling.engine.colgen.generation import affords
from scheduling.engine.cpsat import relaxation
from scheduling.engine.cpsat import run as cpsat_run
from scheduling.engine.cpsat.lns import Incumbent
from scheduling.engine.cpsat.run import build_model, solve
from scheduling.engine.nrp import parse_instance, to_problem
from scheduling.engine.tests.helpers import generated_master

SHARED = Path(__file__).resolve().parents[3].parent / "shared/benchmarks/schedulingbenchmarks_nrp"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"shared benchmark instances not found at {SHARED}"
)
OPTIMUM_2 = 828  # Instance 2's proven optimum (best_known.csv)


def test_a_share_affords_rounds_by_the_first_rounds_time() -> None:
    assert affords(30.0, 0.5, 40)  # 60 rounds like it
    assert affords(30.0, 0.75, 40)  # exactly 40
    assert not affords(30.0, 1.0, 40)  # 30
    assert not affords(30.0, 2.6, 40)  # 11: the 120-staff, 12-week synthetic instance


@needs_shared
def test_it_gives_up_after_its_first_round_with_a_valid_bound_and_no_roster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = to_problem(parse_instance(SHARED / "Instance2.txt"))
    at_once = relax(problem, time_limit=30, ip_time_limit=5, min_rounds=10**12)
    assert at_once.gave_up and at_once.iterations == 0  # during the first pricing
    assert at_once.assignments is None and at_once.bound is None
    # Past the first pricing (whatever it cost), the first round decides.
    monkeypatch.setattr(generic, "affords", lambda share, spent, rounds: True)
    gave_up = relax(problem, time_limit=30, ip_time_limit=5, min_rounds=10**12)
    assert gave_up.gave_up and gave_up.iterations == 1
    assert gave_up.assignments is None and not gave_up.converged
    assert gave_up.bound is not None and gave_up.bound <= OPTIMUM_2
    kept = relax(problem, time_limit=30, ip_time_limit=5, min_rounds=None)
    assert not kept.gave_up and kept.converged and kept.bound == OPTIMUM_2
    assert kept.assignments is not None


@needs_shared
def test_the_solve_path_gets_its_core_back_with_the_bound_and_no_roster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = to_problem(parse_instance(SHARED / "Instance2.txt"))
    assert relaxation.wanted(problem, 2)
    builder = build_model(problem)
    incumbent = Incumbent(perf_counter())
    monkeypatch.setattr(relaxation, "MIN_ROUNDS", 10**12)
    improved: list[int] = []
    bound = relaxation.run(problem, builder, incumbent, time_limit=60, deadline=math.inf, seed=0,
                           should_stop=lambda: False, on_improve=lambda: improved.append(1))  # fmt: skip
    assert bound is None or bound <= OPTIMUM_2
    assert not improved and incumbent.get()[0] is None


@needs_shared
def test_the_master_takes_the_primal_simplex_after_columns_and_the_dual_after_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, _, master = generated_master(to_problem(parse_instance(SHARED / "Instance2.txt")))
    solved = master.solve_lp(60)
    assert solved is not None
    assert master.h.getOptionValue("simplex_strategy")[1] == 4  # primal: columns were added
    master.bar(np.array([0]), True)
    barred = master.solve_lp(60)
    assert barred is not None and barred[0] >= solved[0] - 1e-6
    assert master.h.getOptionValue("simplex_strategy")[1] == 1  # dual: a bound changed
    master.bar(np.array([0]), False)
    again = master.solve_lp(60)
    assert again is not None and abs(again[0] - solved[0]) < 1e-6
    # HiGHS's own choice reaches the same optimum from scratch.
    monkeypatch.setattr(master_module, "SIMPLEX", "choose")
    master.h.clearSolver()
    fresh = master.solve_lp(60)
    assert fresh is not None and abs(fresh[0] - solved[0]) < 1e-6


@needs_shared
def test_the_ip_gets_at_most_its_patience_whatever_column_generation_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = to_problem(parse_instance(SHARED / "Instance2.txt"))
    limits: list[float] = []
    solve_ip = master_module.Master.solve_ip

    def recorded(self: master_module.Master, time_left: float, start: list | None) -> list | None:
        limits.append(time_left)
        return solve_ip(self, time_left, start)

    monkeypatch.setattr(master_module.Master, "solve_ip", recorded)
    # Instance 2 converges in well under a second of its 30: the rest would go to the IP.
    before = relax(problem, time_limit=30, ip_time_limit=5, dive=False)
    assert before.converged and limits[-1] > 5
    after = relax(problem, time_limit=30, ip_time_limit=5, dive=False, ip_patience=1.5)
    assert after.converged and limits[-1] <= 1.5
    assert after.bound == OPTIMUM_2 and after.assignments is not None


class _Child:
    """A relaxation child that reads its input and ends at once, keeping what it was sent."""

    sent: list[bytes] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        child = self

        class Input(io.BytesIO):
            def close(self) -> None:
                child.sent.append(self.getvalue())
                super().close()

        self.stdin, self.stdout = Input(), io.BytesIO()

    def poll(self) -> int:
        return 0

    def wait(self) -> int:
        return 0


@needs_shared
def test_the_solve_path_hands_the_relaxation_its_stall_patience_for_the_ip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = to_problem(parse_instance(SHARED / "Instance2.txt"))
    seen: list[float] = []

    def run(*args: object, patience: float = math.inf, **kwargs: object) -> None:
        seen.append(patience)
        return None

    monkeypatch.setattr(relaxation, "run", run)
    solve(problem, time_limit=2, workers=2, seed=0)
    assert seen == [max(cpsat_run.STALL_MIN, cpsat_run.STALL_SHARE * 2)]
    # ... which the child gets as the IP's limit (colgen.relax's ``ip_patience``).
    monkeypatch.undo()
    monkeypatch.setattr(relaxation.subprocess, "Popen", _Child)
    builder = build_model(problem)
    relaxation.run(problem, builder, Incumbent(perf_counter()), time_limit=60,
                   deadline=math.inf, seed=0, should_stop=lambda: False,
                   on_improve=lambda: None, patience=9.0)  # fmt: skip
    _, options = pickle.loads(_Child.sent[-1])
    assert options["ip_patience"] == 9.0
