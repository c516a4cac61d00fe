"""The Shift Scheduling Benchmark (Curtois & Qu) through the engine's generic model.

``python -m scheduling.engine.nrp solve|evaluate``; see __main__.py.
"""

from __future__ import annotations

from .evaluate import Evaluation, evaluate
from .instance import NrpFormatError, NrpInstance, parse_instance
from .mapping import to_problem
from .roster import format_roster, read_roster, roster_from_assignments

__all__ = [
    "Evaluation",
    "NrpFormatError",
    "NrpInstance",
    "evaluate",
    "format_roster",
    "parse_instance",
    "read_roster",
    "roster_from_assignments",
    "to_problem",
]
