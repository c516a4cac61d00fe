"""A first schedule for a long horizon, built window by window (issue 12).

On a whole academic year the one model is large (tens of thousands of Booleans, hundreds of
thousands of terms): with one worker on a shared machine the exact search found no schedule
in 300 s, and CP-SAT's own portfolio took over a minute. A four-week window of the same problem
solves to optimality in seconds. So the year is built in consecutive windows: each window's
problem holds the previous ``HISTORY_DAYS`` days as fixed assignments (every rolling ACGME
window and every run of consecutive days that ends inside the new days is checked against the
real history), the new days with their demands, requests and unavailability. The result is
only a start: it is completed and checked against the whole year's model before it becomes
the incumbent, and rules that span the whole horizon (yearly totals, weekend caps, program
caps per block or year) are checked there, not here. A horizon too large for that one model
(long_horizon.by_windows) never comes here: year.py solves it window by window (issue 20).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from time import perf_counter

from ..model import Assignment, Horizon, Problem, Progress, Solution

log = logging.getLogger(__name__)

WINDOW_DAYS = 28  # new days per window: one rotation block
HISTORY_DAYS = 28  # fixed days before it: the longest rolling rule window (ACGME, 28 days)
MIN_DAYS = 3 * WINDOW_DAYS  # shorter horizons are solved whole
LOOKAHEAD_DAYS = 14  # planned but not kept: the next window re-decides them
BACK_OFF_DAYS = WINDOW_DAYS // 2  # history days re-decided when a window has no schedule
MAX_RETRIES = 2  # per window
KEEP_SEARCHING = 0.25  # of its share: how long a window improves its first schedule


class _Window:
    """Ends a window's search once it has a schedule and has improved it for a while."""

    def __init__(self, share: float, should_stop: Callable[[], bool] | None) -> None:
        self.share = share
        self.began = perf_counter()
        self.found = threading.Event()
        self.outer = should_stop

    def progress(self, progress: Progress) -> None:
        if progress.objective is not None:
            self.found.set()

    def enough(self) -> bool:
        if self.outer is not None and self.outer():
            return True
        return self.found.is_set() and perf_counter() - self.began > KEEP_SEARCHING * self.share


def window_problem(
    problem: Problem, start: int, new_from: int, end: int, history: list[Assignment]
) -> Problem:
    """Days [start, end) of ``problem`` renumbered from 0; days before ``new_from`` are history:
    no demands (so no free decisions), only the given assignments, fixed."""
    h = problem.horizon

    def shifted(items: tuple, first: int) -> tuple:
        return tuple(replace(x, day=x.day - start) for x in items if first <= x.day < end)

    return replace(
        problem,
        name=f"{problem.name} days {new_from}-{end - 1}",
        horizon=Horizon(
            h.date_of(start),
            end - start,
            h.timezone,
            frozenset(d - start for d in h.holidays if start <= d < end),
        ),
        demands=shifted(problem.demands, new_from),
        unavailable=shifted(problem.unavailable, start),
        requests=shifted(problem.requests, new_from),
        fixed=tuple(replace(a, day=a.day - start) for a in history if start <= a.day < new_from)
        + shifted(problem.fixed, new_from),
        baseline=shifted(problem.baseline, new_from),
        # Caps count days of the whole horizon: checked on the whole model, like yearly totals.
        people=tuple(
            replace(p, limits=replace(p.limits, caps=(), weekend_caps=()))
            if p.limits.caps or p.limits.weekend_caps
            else p
            for p in problem.people
        ),
        # The history around the horizon in the window's day numbers: before it, and after it
        # for the last window (the days between are the window's own fixed history above).
        history=None
        if problem.history is None
        else replace(
            problem.history,
            assignments=tuple(
                replace(a, day=a.day - start)
                for a in problem.history.assignments
                if a.day < 0 or (end == h.days and a.day >= h.days)
            ),
            known_from=None
            if problem.history.known_from is None
            else problem.history.known_from - start,
        ),
        linked=tuple(
            replace(link, first=link.first - start, second=link.second - start)
            for link in problem.linked
            if start <= min(link.first, link.second) and max(link.first, link.second) < end
        ),
    )


def rolling_start(
    problem: Problem,
    *,
    time_limit: float,
    seed: int,
    should_stop: Callable[[], bool] | None,
    solve: Callable[..., Solution],
) -> list[Assignment] | None:
    """A schedule of the whole horizon from consecutive windows, or None when a window finds
    none in its share of the time (the caller then starts from something else). ``solve`` is
    the package's own solver (run.solve), handed in so that neither module imports the other."""
    started = perf_counter()
    days = problem.horizon.days
    chosen: list[Assignment] = []
    new_from = 0
    retries = 0
    while new_from < days:
        if should_stop is not None and should_stop():
            return None
        end = min(days, new_from + WINDOW_DAYS)
        if days - end < WINDOW_DAYS // 2:
            end = days  # no stub window at the end
        start = max(0, new_from - HISTORY_DAYS)
        windows_left = -(-(days - new_from) // WINDOW_DAYS)
        left = time_limit - (perf_counter() - started)
        if left <= 0.5:
            return None
        # The window also plans LOOKAHEAD_DAYS beyond what it keeps, so it leaves room for the
        # next window's demands instead of spending everyone's hours at its end.
        sub = window_problem(problem, start, new_from, min(days, end + LOOKAHEAD_DAYS), chosen)
        # Up to twice the fair share, for a window that is slow to find its first schedule;
        # one that has a schedule stops early and leaves the time to the windows after it.
        share = min(left, (2 + 2 * retries) * left / max(1, windows_left))
        clock = _Window(share, should_stop)
        solution = solve(
            sub,
            time_limit=share,
            seed=seed,
            workers=1,
            on_progress=clock.progress,
            should_stop=clock.enough,
            hint=(),
            verify=False,
        )
        if should_stop is not None and should_stop():
            return None
        if not solution.assignments:
            # Out of time on a loaded machine, or the history painted this window into a
            # corner (say, a week that left someone too few free days): once more with a
            # larger share, re-deciding the history's last days together with the window.
            log.warning(
                "window of days %d-%d: no schedule (%s)", new_from, end - 1, solution.status
            )
            if retries >= MAX_RETRIES:
                return None
            retries += 1
            new_from = max(0, new_from - BACK_OFF_DAYS)
            chosen = [a for a in chosen if a.day < new_from]
            continue
        retries = 0
        chosen += [
            replace(a, day=a.day + start)
            for a in solution.assignments
            if new_from <= a.day + start < end
        ]
        new_from = end
    return chosen
