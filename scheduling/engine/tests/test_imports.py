"""The engine is pure Python: importing it never imports Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MODULES = [
    "scheduling.engine",
    "scheduling.engine.model",
    "scheduling.engine.duty",
    "scheduling.engine.acgme",
    "scheduling.engine.limits",
    "scheduling.engine.objective",
    "scheduling.engine.validator",
    "scheduling.engine.checks",
    "scheduling.engine.greedy",
    "scheduling.engine.greedy_builder",
    "scheduling.engine.greedy_improve",
    "scheduling.engine.greedy_state",
    "scheduling.engine.scenarios",
    "scheduling.engine.solvers",
]


@pytest.mark.parametrize("module", MODULES)
def test_it_imports_without_django(module):
    code = f"import sys, {module}; assert 'django' not in sys.modules, 'django imported'"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_it_keeps_the_validator_independent_of_solvers():
    code = (
        "import sys, scheduling.engine.validator; "
        "assert not any(m.startswith(('ortools', 'pulp', 'highspy')) for m in sys.modules); "
        "assert 'scheduling.engine.greedy' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
