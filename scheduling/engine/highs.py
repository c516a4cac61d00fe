"""HiGHS's process-wide thread pool, sized for the solve about to start.

HiGHS starts one thread pool per process at its first solve, sized by that solve's ``threads``
option. A later solve asking for another size fails at once (model status "not set", which the
solvers read as "unknown"): after a two-worker hybrid run, a one-worker rotation plan in the same
worker process would fail. Every HiGHS solve therefore calls :func:`size_pool` first, which
restarts the pool when the size changes. A process runs one HiGHS solve at a time (the LP-bound
thread of the rotation planner runs beside CP-SAT, not beside another HiGHS solve).
"""

from __future__ import annotations

import threading

_SIZE: dict[str, int] = {}
_LOCK = threading.Lock()


def size_pool(threads: int) -> None:
    with _LOCK:
        if _SIZE.get("threads") == threads:
            return
        import highspy

        highspy.Highs.resetGlobalScheduler(True)
        _SIZE["threads"] = threads
