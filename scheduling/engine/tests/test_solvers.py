"""The solver registry imports solvers lazily and names the known ones."""

from __future__ import annotations

import pytest

from scheduling.engine.solvers import get_solver, solver_names


def test_it_names_known_solvers_for_an_unknown_one():
    with pytest.raises(KeyError) as caught:
        get_solver("simplex-by-hand")
    message = str(caught.value)
    assert all(name in message for name in ("greedy", "cpsat", "mip", "hybrid"))


def test_it_lists_the_solvers():
    assert {"greedy", "cpsat", "mip", "hybrid"} <= set(solver_names())


def test_it_reports_a_solver_whose_module_is_missing_as_unavailable(monkeypatch):
    from scheduling.engine import solvers

    monkeypatch.setitem(solvers.SOLVERS, "quantum", ("scheduling.engine.quantum", "solve"))
    with pytest.raises(KeyError, match="not available yet"):
        get_solver("quantum")


def test_it_returns_the_greedy_solver():
    from scheduling.engine import greedy

    assert get_solver("greedy") is greedy.solve
