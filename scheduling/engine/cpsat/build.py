"""The CP-SAT model's core: decision variables, named constraint groups, coverage, fixed
assignments, overlaps and the objective.

One Boolean ``x[p, d, s]`` exists only for an eligible (person, day, shift) triple, so the model
never carries variables the rules would fix to zero anyway. Every hard constraint belongs to a
named *group* ("coverage minimum for ward on 2026-07-03", "max weekends for A"). In the normal
solve the groups are plain constraints; in the diagnosis solve each group is enforced by one
assumption literal, so CP-SAT can name a small set of groups that cannot hold together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Union

from ortools.sat.python import cp_model, cp_model_helper

from ..duty import Timeline, interval_cliques, timeline_for
from ..model import Assignment, Demand, Person, PersonKind, Problem, RequestKind, ShiftCategory
from ..objective import fairness_measure

Key = tuple[str, int, str]  # (person, day, shift)
# A literal is a CP-SAT Boolean (or its negation) or a Python constant for "no variable".
Lit = Union[cp_model_helper.Literal, bool]  # noqa: UP007


class ModelDataError(ValueError):
    """The problem refers to something that does not exist (an unknown shift or person)."""


def neg(lit: Lit) -> Lit:
    if isinstance(lit, bool):
        return not lit
    return lit.Not()


class Builder:
    """Holds the CpModel, the variables and the objective terms of one problem."""

    def __init__(self, problem: Problem, *, diagnose: bool = False) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.diagnose = diagnose
        self.timeline: Timeline = timeline_for(problem)
        self.days = problem.horizon.days
        self.groups: dict[str, cp_model.IntVar] = {}
        self.x: dict[Key, cp_model.IntVar] = {}
        # Per (person, day): the shift ids that have a variable, in shift-type order.
        self.shifts_of: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._work: dict[tuple[str, int], Lit] = {}
        self.objective_terms: list[tuple[int, cp_model.LinearExprT]] = []
        self.objective_offset = 0
        self._by_person: dict[str, list[tuple[Key, cp_model.IntVar]]] | None = None
        self._check_references()

    # ----------------------------------------------------------------- groups and clauses
    def enforce(self, constraint: cp_model.Constraint, group: str) -> None:
        """Attach ``constraint`` to the named group (only matters when diagnosing)."""
        if not self.diagnose:
            return
        lit = self.groups.get(group)
        if lit is None:
            lit = self.model.new_bool_var(f"group[{group}]")
            self.groups[group] = lit
        constraint.only_enforce_if(lit)

    def clause(self, lits: Iterable[Lit], group: str) -> None:
        """At least one of ``lits`` holds; constants are folded away."""
        real = []
        for lit in lits:
            if lit is True:
                return
            if lit is False:
                continue
            real.append(lit)
        if not real:
            # Every literal is false: the group can never hold.
            self.enforce(self.model.add(0 >= 1), group)
            return
        self.enforce(self.model.add_bool_or(real), group)

    def linear(self, constraint: cp_model.BoundedLinearExpression | bool, group: str) -> None:
        if isinstance(constraint, bool):
            if not constraint:
                self.enforce(self.model.add(0 >= 1), group)
            return
        self.enforce(self.model.add(constraint), group)

    # ----------------------------------------------------------------------- names
    def date(self, day: int) -> str:
        return self.problem.horizon.date_of(day).isoformat()

    # ------------------------------------------------------------------- variables
    def _check_references(self) -> None:
        shifts = self.problem.shift_by_id
        people = self.problem.person_by_id
        for demand in self.problem.demands:
            if demand.shift not in shifts:
                raise ModelDataError(
                    f"demand on day {demand.day} names unknown shift {demand.shift}"
                )
            if demand.supervisor_shift is not None and demand.supervisor_shift not in shifts:
                raise ModelDataError(f"unknown supervisor shift {demand.supervisor_shift}")
        for items in (self.problem.fixed, self.problem.baseline):
            for a in items:
                if a.shift not in shifts or a.person not in people:
                    raise ModelDataError(f"assignment {a} names an unknown person or shift")

    def pruned_reason(self, person: Person, day: int, shift: str) -> str | None:
        """Why (person, day, shift) may never be worked, or None: such triples get no variable
        (or, when fixed, a variable forced off in the reason's group)."""
        if not 0 <= day < self.days:
            return f"horizon of {person.id}"
        if (person.id, day, None) in self._unavailable or (
            person.id,
            day,
            shift,
        ) in self._unavailable:
            return f"unavailability of {person.id} on {self.date(day)}"
        if person.limits.max_shifts.get(shift) == 0:
            return f"max {shift} shifts for {person.id}"
        acgme = self.problem.acgme
        category = self.problem.shift_by_id[shift].category
        if (
            acgme is not None
            and not acgme.pgy1_may_moonlight
            and person.kind == PersonKind.RESIDENT
            and person.pgy == 1
            and category == ShiftCategory.MOONLIGHTING
        ):
            return f"ACGME no moonlighting for PGY-1 {person.id}"
        return None

    def build_variables(self) -> None:
        problem = self.problem
        self._unavailable = {(u.person, u.day, u.shift) for u in problem.unavailable}
        wanted: set[Key] = set()
        for demand in problem.demands:
            for person in problem.people:
                if demand.eligibility.admits(person):
                    wanted.add((person.id, demand.day, demand.shift))
        fixed = {(a.person, a.day, a.shift) for a in problem.fixed}
        order = {s.id: i for i, s in enumerate(problem.shift_types)}
        person_order = {p.id: i for i, p in enumerate(problem.people)}
        for key in sorted(wanted | fixed, key=lambda k: (person_order[k[0]], k[1], order[k[2]])):
            person = problem.person_by_id[key[0]]
            reason = self.pruned_reason(person, key[1], key[2])
            if reason is not None and key not in fixed:
                continue
            var = self.model.new_bool_var(f"x[{key[0]},{key[1]},{key[2]}]")
            self.x[key] = var
            self.shifts_of[(key[0], key[1])].append(key[2])
            if reason is not None:
                self.linear(var == 0, reason)
        for a in problem.fixed:
            key = (a.person, a.day, a.shift)
            group = f"fixed assignment of {a.person} to {a.shift} on {self.date(a.day)}"
            self.linear(self.x[key] == 1, group)

    def minutes(self, day: int, shift: str) -> int:
        """Nominal minutes of a shift (contract hours, as the validator's limits count them)."""
        return self.problem.shift_by_id[shift].minutes

    def var(self, person: str, day: int, shift: str) -> Lit:
        return self.x.get((person, day, shift), False)

    def day_vars(self, person: str, day: int) -> list[cp_model.IntVar]:
        return [self.x[(person, day, s)] for s in self.shifts_of.get((person, day), ())]

    def work(self, person: str, day: int) -> Lit:
        """Literal "person works (has any assignment) on day"."""
        key = (person, day)
        hit = self._work.get(key)
        if hit is not None:
            return hit
        xs = self.day_vars(person, day) if 0 <= day < self.days else []
        lit: Lit
        if not xs:
            lit = False
        elif len(xs) == 1:
            lit = xs[0]
        else:
            lit = self.model.new_bool_var(f"work[{person},{day}]")
            limits = self.problem.person_by_id[person].limits
            if limits.max_shifts_per_day == 1 or self._pairwise_overlap(day, person):
                # At most one shift that day: "works" is exactly the sum (a tighter LP).
                self.model.add(lit == sum(xs))
            else:
                self.model.add_max_equality(lit, xs)
        self._work[key] = lit
        return lit

    def _pairwise_overlap(self, day: int, person: str) -> bool:
        ivs = [self.timeline.interval(day, s) for s in self.shifts_of[(person, day)]]
        return all(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(ivs) for b in ivs[i + 1 :])

    def person_keys(self) -> dict[str, list[Key]]:
        out: dict[str, list[Key]] = defaultdict(list)
        for key in self.x:
            out[key[0]].append(key)
        return out

    # ------------------------------------------------------------------ core rules
    def add_coverage(self) -> None:
        problem = self.problem
        for demand in problem.demands:
            xs = [
                self.x[(p.id, demand.day, demand.shift)]
                for p in problem.people
                if (p.id, demand.day, demand.shift) in self.x and demand.eligibility.admits(p)
            ]
            n = sum(xs)
            where = f"{demand.shift} on {self.date(demand.day)}"
            self._leads(demand, where)
            if demand.minimum > 0:
                self.linear(n >= demand.minimum, f"coverage minimum for {where}")
            if demand.maximum is not None:
                self.linear(n <= demand.maximum, f"coverage maximum for {where}")
            if self.diagnose:
                continue
            target = demand.target
            uw, ow = demand.under_weight, demand.over_weight
            if uw == 0 and ow == 0:
                continue
            if not xs:
                self.objective_offset += uw * max(0, target)
                continue
            # n + under - over == target with slack variables keeps the LP relaxation tight;
            # the "which side" literal makes under/over exact in every solution (not only at
            # the optimum), so each reported objective is the validator's value.
            top = len(xs)
            under = self.model.new_int_var(0, max(0, target), f"under[{where}]")
            over = self.model.new_int_var(0, max(0, top - target), f"over[{where}]")
            self.model.add(n + under - over == target)
            if target > 0 and top > target:
                short = self.model.new_bool_var(f"short[{where}]")
                self.model.add(under == 0).only_enforce_if(short.Not())
                self.model.add(over == 0).only_enforce_if(short)
            if uw:
                self.objective_terms.append((uw, under))
            if ow:
                self.objective_terms.append((ow, over))

    def _leads(self, demand: Demand, where: str) -> None:
        """A supervised-level holder works the demand only beside a lead (model.py)."""
        eligibility = self.problem.people if demand.eligibility.skills else ()
        cell = [
            (p, self.x[(p.id, demand.day, demand.shift)])
            for p in eligibility
            if (p.id, demand.day, demand.shift) in self.x and demand.eligibility.admits(p)
        ]
        leads = [v for p, v in cell if demand.eligibility.leads(p)]
        for p, v in cell:
            if not demand.eligibility.leads(p):
                self.linear(v <= sum(leads), f"supervised credential of {p.id} on {where}")

    def add_overlaps(self) -> None:
        """Two assignments of one person whose real intervals overlap: at most one, per clique
        of intervals alive together (duty.interval_cliques)."""
        cliques = interval_cliques(
            {(k[1], k[2]) for k in self.x}, lambda ds: self.timeline.interval(*ds)
        )
        people = sorted({k[0] for k in self.x})
        for person in people:
            for clique in cliques:
                xs = [self.x[(person, d, s)] for d, s in clique if (person, d, s) in self.x]
                if len(xs) > 1:
                    # Physical impossibility, never a diagnosis candidate.
                    self.model.add_at_most_one(xs)

    # ------------------------------------------------------------------- objective
    def add_objective(self) -> None:
        problem = self.problem
        for req in problem.requests:
            lit: Lit
            if req.shift is None:
                lit = self.work(req.person, req.day)
            else:
                lit = self.var(req.person, req.day, req.shift)
            wanted = req.kind == RequestKind.ON
            self._cost_if(neg(lit) if wanted else lit, req.weight)
        if problem.change_weight:
            for a in problem.baseline:
                self._cost_if(neg(self.var(a.person, a.day, a.shift)), problem.change_weight)
        self._add_fairness()
        expr = sum(c * t for c, t in self.objective_terms) + self.objective_offset
        self.model.minimize(expr)

    def _cost_if(self, lit: Lit, weight: int) -> None:
        if isinstance(lit, bool):
            self.objective_offset += weight if lit else 0
        elif isinstance(lit, cp_model.IntVar):
            self.objective_terms.append((weight, lit))
        else:  # a negated variable: weight * (1 - v)
            self.objective_offset += weight
            self.objective_terms.append((-weight, lit.Not()))

    def fairness_count(self, person: str, measure: str) -> cp_model.LinearExprT:
        counts = fairness_measure(self.problem, measure)
        return sum(v for (_, d, s), v in self._keys_by_person().get(person, ()) if counts(d, s))

    def _keys_by_person(self) -> dict[str, list[tuple[Key, cp_model.IntVar]]]:
        """The decision variables per person (built once: the fairness terms ask per member)."""
        if self._by_person is None:
            self._by_person = defaultdict(list)
            for key, v in self.x.items():
                self._by_person[key[0]].append((key, v))
        return self._by_person

    def _add_fairness(self) -> None:
        for group in self.problem.fairness:
            if group.weight == 0:
                continue
            # People of the group without variables count zero, as in the validator.
            members = sorted(group.people)
            if len(members) < 2:
                continue
            counts = [self.fairness_count(p, group.measure) for p in members]
            top = self.days * 4
            hi = self.model.new_int_var(0, top, f"fair_max[{group.name}]")
            lo = self.model.new_int_var(0, top, f"fair_min[{group.name}]")
            self.model.add_max_equality(hi, counts)
            self.model.add_min_equality(lo, counts)
            self.objective_terms.append((group.weight, hi - lo))

    # ---------------------------------------------------------------------- hints
    def add_hint(self, assignments: Sequence[Assignment]) -> None:
        chosen = {(a.person, a.day, a.shift) for a in assignments}
        for key, var in self.x.items():
            self.model.add_hint(var, 1 if key in chosen else 0)

    def assignments(self, values: Mapping[Key, int]) -> tuple[Assignment, ...]:
        """The schedule of a solution given as one value per decision variable."""
        return tuple(Assignment(p, d, s) for (p, d, s) in self.x if values[(p, d, s)])
