"""Write a synthetic instance in the Shift Scheduling Benchmark's text format (issue 20).

The issue measures the engine on larger instances of the family than the twelve in
``../shared/benchmarks`` (up to 120 staff, 18 shift types, 12 weeks), which are not on this
machine. This writes instances of that size with the shape of Instances 8-12, so the method's
time, memory and gap to its own bound can be watched as the size grows:

- shift types in four families (early, day, late, night; 8 h each) with the published
  succession rules: a later family may not be followed the next day by an earlier one;
- each person eligible for about two thirds of the day families' types and, one in three, for
  the nights (at most 4 nights per 4 weeks); a full-time contract scaled by the weeks (Instance
  12's 8640/7560 minutes per 4 weeks, 5 consecutive shifts at most, 2 at least, 2 days off at
  least, 2 weekends per 4 weeks);
- two days off per person per 4 weeks, runs of on- and off-requests of weight 1-3;
- cover per day and type drawn so that the whole requirement is about the staff's capacity
  (under weight 100, over weight 1), which makes cover the cost, as on Instances 8-12.

These are not published instances: there is no best known value for them. The figures are
the engine's own (objective, bound, gap, memory), recorded in docs/benchmarks.md.

    .venv/bin/python benchmarks/nrp_synth.py --staff 120 --shifts 18 --weeks 12 \
        --out benchmarks/out/Synth120x18x12.txt
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from pathlib import Path

FAMILIES = ("a", "d", "p", "n")  # early, day, late, night: the order of the succession rule
MINUTES = 480


def _shift_ids(count: int) -> list[str]:
    nights = max(1, count // 6)
    per_day_family = [
        (count - nights) // 3 + (1 if k < (count - nights) % 3 else 0) for k in range(3)
    ]
    ids = [f"{FAMILIES[f]}{k + 1}" for f in range(3) for k in range(per_day_family[f])]
    return ids + [f"n{k + 1}" for k in range(nights)]


def _staff_ids(count: int) -> list[str]:
    letters = string.ascii_uppercase
    if count <= len(letters):
        return list(letters[:count])
    return [f"{letters[k // len(letters)]}{letters[k % len(letters)]}" for k in range(count)]


def synthesise(staff: int, shifts: int, weeks: int, seed: int) -> str:
    rng = random.Random(seed)
    days = 7 * weeks
    ids = _shift_ids(shifts)
    people = _staff_ids(staff)
    lines = [
        f"# Synthetic instance (benchmarks/nrp_synth.py): {staff} staff, {shifts} shift types,",
        f"# {weeks} weeks, seed {seed}. Not a published instance.",
        "SECTION_HORIZON",
        str(days),
        "",
        "SECTION_SHIFTS",
    ]
    for sid in ids:
        later = [o for o in ids if FAMILIES.index(o[0]) < FAMILIES.index(sid[0])]
        lines.append(f"{sid},{MINUTES},{'|'.join(later)}")
    lines += ["", "SECTION_STAFF"]
    scale = weeks / 4
    capacity = night_capacity = 0.0
    for person in people:
        nights = rng.random() < 1 / 3
        caps = []
        for sid in ids:
            if sid.startswith("n"):
                caps.append(f"{sid}={int(4 * scale) if nights else 0}")
            else:
                caps.append(f"{sid}={days if rng.random() < 2 / 3 else 0}")
        hi, lo = int(8640 * scale), int(7560 * scale)
        capacity += (hi + lo) / 2 / MINUTES
        night_capacity += 4 * scale if nights else 0
        lines.append(f"{person},{'|'.join(caps)},{hi},{lo},5,2,2,{int(2 * scale)}")
    lines += ["", "SECTION_DAYS_OFF"]
    for person in people:
        off = sorted(rng.sample(range(days), int(2 * scale)))
        lines.append(f"{person},{','.join(map(str, off))}")
    on, off = [], []
    for person in people:
        for _ in range(int(2 * scale)):
            start, length = rng.randrange(days), rng.randint(2, 5)
            sid, weight = rng.choice(ids[: len(ids) - 1]), rng.randint(1, 3)
            target = on if rng.random() < 0.5 else off
            target += [
                f"{person},{d},{sid},{weight}" for d in range(start, min(days, start + length))
            ]
    lines += ["", "SECTION_SHIFT_ON_REQUESTS", *on, "", "SECTION_SHIFT_OFF_REQUESTS", *off]
    lines += ["", "SECTION_COVER"]
    night_ids = [s for s in ids if s.startswith("n")]
    per_night = night_capacity / (days * len(night_ids))
    per_slot = (capacity - night_capacity) / (days * (len(ids) - len(night_ids)))
    for day in range(days):
        for sid in ids:
            mean = per_night if sid in night_ids else per_slot
            need = max(1, round(rng.gauss(mean, mean / 4)))
            lines.append(f"{day},{sid},{need},100,1")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--staff", type=int, default=120)
    parser.add_argument("--shifts", type=int, default=18)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if min(args.staff, args.shifts, args.weeks) < 1 or args.shifts < 4:
        parser.error("staff and weeks must be positive, shift types at least 4")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(synthesise(args.staff, args.shifts, args.weeks, args.seed))
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
