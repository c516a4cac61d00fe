"""Solver registry: every solver shares ``solve(problem, *, time_limit, seed, workers,
on_progress, should_stop) -> Solution``; modules are imported only when asked for, so importing
the engine never loads OR-Tools or PuLP."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from .model import Solution

Solver = Callable[..., Solution]

# name -> (module, function); the module is imported on first use.
SOLVERS: dict[str, tuple[str, str]] = {
    "greedy": ("scheduling.engine.greedy", "solve"),
    "cpsat": ("scheduling.engine.cpsat", "solve"),
    "mip": ("scheduling.engine.mip", "solve"),
    "hybrid": ("scheduling.engine.hybrid", "solve"),
}


def solver_names() -> tuple[str, ...]:
    return tuple(SOLVERS)


def get_solver(name: str) -> Solver:
    """The ``solve`` function of a solver by name; KeyError naming the known ones otherwise."""
    try:
        module_name, attribute = SOLVERS[name]
    except KeyError:
        known = ", ".join(sorted(SOLVERS))
        raise KeyError(f"unknown solver {name!r}; known solvers: {known}") from None
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # a dependency of the solver is missing: let that error speak
        raise KeyError(f"solver {name!r} is not available yet ({module_name} missing)") from None
    solve: Any = getattr(module, attribute)
    return solve
