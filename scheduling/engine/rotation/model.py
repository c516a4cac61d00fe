"""The annual rotation plan: resident x block -> rotation, as frozen dataclasses (no Django).

Time. The year is a sequence of ``Block`` (commonly 13 x 4 weeks). A block whose ``split`` is
true may be spent as two halves (first half, second half) on two different rotations, provided
both rotations are ``splittable`` (electives, clinic, research). Internally every block has two
*half slots*; a whole-block assignment fills both. All counting uses integer *half-block units*
(a whole block is 2 units) so that "1.5 blocks of electives" stays exact.

Selectors. Curriculum requirements, sequencing rules and fairness name rotations by a
*selector*: a rotation id, or a tag carried by rotations (``"icu"``, ``"night_float"``), or the
word ``"heavy"`` for every rotation with ``heavy=True``. See ``Rotation.matches``.

Hard rules (the validator reports them; every solver satisfies them):
  * every resident holds exactly one rotation in every half slot of every block;
  * a rotation only for residents it admits (PGY levels, required resident tags);
  * halves differ only in ``split`` blocks and only between ``splittable`` rotations;
  * curriculum: per PGY level and selector, min <= units in the year <= max;
  * capacity: per rotation and block, in every half, min <= residents (of the PGY levels named)
    <= max;
  * locks; an approved leave block is spent wholly on leave-eligible rotations;
  * sequencing rules (``SequencingKind``).

Objective (minimised, integer; the validator computes it on its own, every solver reports it):
  + per requested (not approved) leave: weight x half slots of the block on rotations that are
    not leave-eligible;
  + per preference for a block: weight > 0 (wants): weight x half slots of the block not on the
    rotation; weight < 0 (avoids): |weight| x half slots on it;
  + per preference without a block: weight > 0: weight if the rotation never occurs in the
    year; weight < 0: |weight| if it occurs at all;
  + per fairness weight and PGY class: weight x (max - min) over the class of the half-block
    units spent on the selected (default: heavy) rotations;
  + split_weight x number of resident-blocks spent in two halves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property

from scheduling.engine.model import SolveStatus

HEAVY = "heavy"
HALVES = (1, 2)


class SequencingKind(StrEnum):
    # A resident on ``second`` must have been on ``first`` in an earlier half slot.
    BEFORE = "before"
    # At most ``limit`` consecutive blocks touching ``first`` (any half counts).
    MAX_CONSECUTIVE = "max_consecutive"
    # No half slot on ``first`` directly followed by a half slot on ``second``.
    NOT_FOLLOWED_BY = "not_followed_by"


@dataclass(frozen=True)
class Block:
    index: int
    start: date
    days: int = 28
    split: bool = True  # may be spent as two halves

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    @property
    def half_start(self) -> date:
        """First day of the second half (the first half gets the extra day of an odd block)."""
        return self.start + timedelta(days=(self.days + 1) // 2)


@dataclass(frozen=True)
class Rotation:
    id: str
    name: str = ""
    heavy: bool = False  # counts toward the heavy-rotation fairness measure
    leave_eligible: bool = False  # vacation may be taken while on it
    pgy_levels: frozenset[int] = frozenset()  # empty: every level
    tags: frozenset[str] = frozenset()  # "icu", "night_float", "elective", ...
    splittable: bool = False  # may fill half a block
    required_tags: frozenset[str] = frozenset()  # resident tags it needs (e.g. a track)

    def matches(self, selector: str) -> bool:
        if selector == self.id or selector in self.tags:
            return True
        return selector == HEAVY and self.heavy

    def admits(self, resident: Resident) -> bool:
        if self.pgy_levels and resident.pgy not in self.pgy_levels:
            return False
        return self.required_tags <= resident.tags


@dataclass(frozen=True)
class Capacity:
    """Residents on ``rotation`` in each half of ``block`` (None: every block)."""

    rotation: str
    minimum: int = 0
    maximum: int | None = None
    block: int | None = None
    pgy_levels: frozenset[int] = frozenset()  # count only these levels; empty: everyone

    def counts(self, resident: Resident) -> bool:
        return not self.pgy_levels or resident.pgy in self.pgy_levels


@dataclass(frozen=True)
class Resident:
    id: str
    pgy: int
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CurriculumRequirement:
    pgy: int
    rotation: str  # selector
    min_blocks: float = 0.0  # multiples of 0.5
    max_blocks: float | None = None

    @property
    def min_units(self) -> int:
        return round(self.min_blocks * 2)

    @property
    def max_units(self) -> int | None:
        return None if self.max_blocks is None else round(self.max_blocks * 2)


@dataclass(frozen=True)
class Lock:
    resident: str
    block: int
    rotation: str
    half: int | None = None  # None: the whole block


@dataclass(frozen=True)
class LeaveRequest:
    resident: str
    block: int
    approved: bool = False  # approved: hard; requested: soft, costs weight per half not granted
    weight: int = 1


@dataclass(frozen=True)
class RotationPreference:
    resident: str
    rotation: str  # a rotation id
    block: int | None = None  # None: some time in the year
    weight: int = 1  # > 0 wants it, < 0 wants to avoid it


@dataclass(frozen=True)
class SequencingRule:
    kind: SequencingKind
    first: str  # selector
    second: str = ""  # selector (BEFORE, NOT_FOLLOWED_BY)
    limit: int = 0  # MAX_CONSECUTIVE
    pgy_levels: frozenset[int] = frozenset()  # empty: every resident
    name: str = ""

    def applies_to(self, resident: Resident) -> bool:
        return not self.pgy_levels or resident.pgy in self.pgy_levels

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.kind is SequencingKind.BEFORE:
            text = f"{self.first} before {self.second}"
        elif self.kind is SequencingKind.MAX_CONSECUTIVE:
            text = f"at most {self.limit} consecutive blocks of {self.first}"
        else:
            text = f"{self.first} not directly followed by {self.second}"
        if self.pgy_levels:
            text += " (PGY-" + ",".join(str(p) for p in sorted(self.pgy_levels)) + ")"
        return text


@dataclass(frozen=True)
class FairnessWeight:
    """Even out the units on ``rotation`` (default: heavy) within each PGY class."""

    weight: int = 1
    pgy: int | None = None  # None: every PGY class separately
    rotation: str = HEAVY  # selector


@dataclass(frozen=True)
class PlanProblem:
    blocks: tuple[Block, ...]
    rotations: tuple[Rotation, ...]
    residents: tuple[Resident, ...]
    capacities: tuple[Capacity, ...] = ()
    requirements: tuple[CurriculumRequirement, ...] = ()
    locks: tuple[Lock, ...] = ()
    leave: tuple[LeaveRequest, ...] = ()
    preferences: tuple[RotationPreference, ...] = ()
    sequencing: tuple[SequencingRule, ...] = ()
    weights: tuple[FairnessWeight, ...] = ()
    split_weight: int = 0
    name: str = ""

    @cached_property
    def rotation_by_id(self) -> dict[str, Rotation]:
        return {r.id: r for r in self.rotations}

    @cached_property
    def resident_by_id(self) -> dict[str, Resident]:
        return {r.id: r for r in self.residents}

    @cached_property
    def block_by_index(self) -> dict[int, Block]:
        return {b.index: b for b in self.blocks}

    @cached_property
    def pgy_levels(self) -> tuple[int, ...]:
        return tuple(sorted({r.pgy for r in self.residents}))

    def selected(self, selector: str) -> tuple[Rotation, ...]:
        return tuple(r for r in self.rotations if r.matches(selector))

    def may_split(self, block: int, rotation: str) -> bool:
        """True when the rotation may fill a single half of the block."""
        return self.block_by_index[block].split and self.rotation_by_id[rotation].splittable

    @property
    def slots(self) -> tuple[tuple[int, int], ...]:
        """All half slots (block index, half) in time order."""
        ordered = sorted(b.index for b in self.blocks)
        return tuple((b, h) for b in ordered for h in HALVES)


@dataclass(frozen=True)
class PlanAssignment:
    resident: str
    block: int
    rotation: str
    half: int | None = None  # None: the whole block; 1 or 2: that half


@dataclass(frozen=True)
class PlanSolution:
    assignments: tuple[PlanAssignment, ...]
    status: SolveStatus
    algorithm: str
    objective: float | None = None
    bound: float | None = None
    time_to_first_feasible: float | None = None
    wall_time: float = 0.0
    conflicts: tuple[str, ...] = ()  # named causes when infeasible or invalid
