"""Writes for conflicts: keep the alerts in step with the schedule, apply a candidate, dismiss.

``conflicts_detect`` runs the detectors over a period and keeps exactly one open alert per
fingerprint: a new conflict raises an alert (and tells the coordinators and the people named, on
commit), a known one is updated, and an open alert whose conflict has gone from the period is
resolved by itself. A dismissed conflict is not raised again while it lasts.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone

from conflicts import strategies
from conflicts.detection import Finding, detect, inactive_findings, open_statuses
from conflicts.models import ConflictAlert, ConflictPolicy
from lib.errors import ApplicationError
from people.models import Program
from people.notify import Event, managers_of, notify
from scheduling.models import Assignment, State

Status = ConflictAlert.Status
LOW_RISK = (ConflictAlert.Severity.LOW, ConflictAlert.Severity.MEDIUM)


def policy_for(program: Program | int) -> ConflictPolicy:
    program_id = program if isinstance(program, int) else program.pk
    return ConflictPolicy.objects.filter(program_id=program_id).first() or ConflictPolicy(
        program_id=program_id
    )


def conflicts_detect(
    *, program: Program, start: date, end: date, actor: Any = None
) -> dict[str, int]:
    """Raise, update and auto-resolve the program's alerts over the period; counts by outcome."""
    findings = {f.fingerprint: f for f in detect(program, start, end)}
    counts = {"raised": 0, "updated": 0, "resolved": 0}
    raised: list[ConflictAlert] = []
    with transaction.atomic(), set_actor(actor):
        existing = {
            alert.fingerprint: alert
            for alert in ConflictAlert.objects.select_for_update()
            .filter(open_statuses(), program=program, start_date__lte=end, end_date__gte=start)
            .exclude(fingerprint="")
        }
        dismissed = set(
            ConflictAlert.objects.filter(
                program=program, status=Status.DISMISSED, fingerprint__in=list(findings)
            ).values_list("fingerprint", flat=True)
        )
        for fingerprint, finding in findings.items():
            alert = existing.pop(fingerprint, None)
            if alert is None:
                alert = (
                    ConflictAlert.objects.filter(open_statuses(), program=program)
                    .filter(fingerprint=fingerprint)
                    .first()
                )
            if alert is not None:
                if _update(alert, finding):
                    counts["updated"] += 1
                continue
            if fingerprint in dismissed:
                continue
            raised.append(_raise(program, finding))
            counts["raised"] += 1
        now = timezone.now()
        for alert in existing.values():
            alert.status = Status.RESOLVED
            alert.resolved_at = now
            alert.resolution = {**alert.resolution, "auto": True, "why": "no longer detected"}
            alert.save(update_fields=["status", "resolved_at", "resolution", "updated_at"])
            counts["resolved"] += 1
        _tell(program, raised)
    for alert in raised:
        _maybe_auto_apply(alert)
    return counts


def _fields(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "rule": finding.rule,
        "severity": finding.severity,
        "start_date": finding.start_date,
        "end_date": finding.end_date,
        "message": finding.message,
        "person": finding.people[0] if finding.people else None,
        "assignment_id": finding.assignment_id,
        "absence_id": finding.absence_id,
        "details": {
            **finding.details,
            "people": [{"code": str(p.code), "name": p.full_name} for p in finding.people],
        },
    }


def _raise(program: Program, finding: Finding) -> ConflictAlert:
    return ConflictAlert.objects.create(
        program=program, fingerprint=finding.fingerprint, **_fields(finding)
    )


def _update(alert: ConflictAlert, finding: Finding) -> bool:
    fields = _fields(finding)
    changed = [name for name, value in fields.items() if getattr(alert, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(alert, name, fields[name])
    alert.save(update_fields=[*changed, "updated_at"])
    return True


FOLD_AFTER = 1  # more new alerts than this for one recipient are told as one summary
SUMMARY_LINES = 5
SEVERITIES = list(ConflictAlert.Severity.values)  # most severe first


def _tell(program: Program, raised: list[ConflictAlert]) -> None:
    """Tell the program's managers about every new alert, and each person about theirs: one
    notification per alert when there is one, one summary per recipient when a pass raises
    several (a first detection over a year must not send a thousand emails)."""
    if not raised:
        return
    _tell_about(list(managers_of(program.pk)), program, raised)
    mine: dict[int, list[ConflictAlert]] = {}
    for alert in raised:
        if alert.person is not None and alert.person.active:  # not someone who has left
            mine.setdefault(alert.person.pk, []).append(alert)
    for alerts in mine.values():
        _tell_about([alerts[0].person], program, alerts)


def _tell_about(recipients: list[Any], program: Program, alerts: list[ConflictAlert]) -> None:
    if not recipients:
        return
    if len(alerts) <= FOLD_AFTER:
        alert = alerts[0]
        notify(
            recipients,
            Event.CONFLICT_RAISED,
            program=program.pk,
            title=f"{alert.get_severity_display()} conflict: {alert.get_kind_display()}",
            body=alert.message,
            url=f"/conflicts/{alert.code}/",
            context={"alert": str(alert.code), "kind": alert.kind, "severity": alert.severity},
        )
        return
    by_severity: dict[str, int] = {}
    for alert in alerts:
        label = alert.get_severity_display().lower()
        by_severity[label] = by_severity.get(label, 0) + 1
    ordered = sorted(alerts, key=lambda a: (SEVERITIES.index(a.severity), a.start_date))
    lines = [f"- {a.message}" for a in ordered[:SUMMARY_LINES]]
    if len(alerts) > SUMMARY_LINES:
        lines.append(f"… and {len(alerts) - SUMMARY_LINES} more in the conflict queue.")
    notify(
        recipients,
        Event.CONFLICT_RAISED,
        program=program.pk,
        title=f"{len(alerts)} new conflicts ("
        + ", ".join(f"{n} {label}" for label, n in by_severity.items())
        + ")",
        body="\n".join(lines),
        url="/conflicts/",
        context={"alerts": [str(a.code) for a in alerts], "counts": by_severity},
    )


def _maybe_auto_apply(alert: ConflictAlert) -> None:
    """The program's opt-in: apply the top candidate of a low-risk alert by itself."""
    if alert.severity not in LOW_RISK or not policy_for(alert.program_id).auto_apply_low_risk:
        return
    candidates = conflict_candidates(alert=alert)
    top = candidates[0] if candidates else None
    if top is None or not top["compliant"] or top["score"]["people_moved"] > 2:
        return
    conflict_apply(alert=alert, candidate_id=top["id"], actor=None, auto=True)


def conflict_candidates(*, alert: ConflictAlert, refresh: bool = False) -> list[dict[str, Any]]:
    """The alert's candidates, recomputed when the schedule changed since (or when asked)."""
    stamp = strategies.stamp(alert)
    if refresh or alert.candidates_stamp != stamp or not alert.candidates:
        alert.candidates = strategies.candidates_for(alert)
        alert.candidates_stamp = stamp
        ConflictAlert.objects.filter(pk=alert.pk).update(
            candidates=alert.candidates, candidates_stamp=stamp
        )
    return list(alert.candidates)


def conflict_apply(
    *, alert: ConflictAlert, candidate_id: str, actor: Any, auto: bool = False
) -> ConflictAlert:
    """Apply one candidate in one transaction; a stale one is refused and recomputed."""
    with transaction.atomic(), set_actor(actor):
        alert = ConflictAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status not in (Status.OPEN, Status.ACKNOWLEDGED):
            raise ApplicationError(f"This alert is already {alert.get_status_display().lower()}.")
        candidate = next((c for c in alert.candidates if c["id"] == candidate_id), None)
        if candidate is None:
            raise ApplicationError("That candidate is not on offer for this alert.")
        if strategies.stamp(alert) != alert.candidates_stamp or not strategies.still_compliant(
            alert, candidate
        ):
            stale = True
        else:
            stale = False
            touched = strategies.apply_changes(alert.program, candidate)
            applied = {"candidate": candidate, "auto_applied": auto, "assignments": touched}
            if _still_found(alert):
                # One shift of an inactive person's several: the alert stays open for the rest
                # (the detection queued below names what is left; new candidates follow).
                alert.resolution = {
                    **alert.resolution,
                    "applied": [*alert.resolution.get("applied", []), applied],
                }
                alert.candidates, alert.candidates_stamp = [], ""
                alert.save(
                    update_fields=["resolution", "candidates", "candidates_stamp", "updated_at"]
                )
            else:
                alert.status = Status.RESOLVED
                alert.resolved_at = timezone.now()
                alert.resolved_by = actor if getattr(actor, "pk", None) else None
                alert.resolution = {**alert.resolution, **applied}
                alert.save(
                    update_fields=[
                        "status",
                        "resolved_at",
                        "resolved_by",
                        "resolution",
                        "updated_at",
                    ]
                )
            _tell_moved(alert, candidate)
            schedule_detection_for(alert)
    if stale:
        conflict_candidates(alert=alert, refresh=True)
        raise ApplicationError(
            "The schedule changed since these candidates were computed: they were recomputed, "
            "choose again.",
            details={"alert": str(alert.code)},
        )
    return alert


def _still_found(alert: ConflictAlert) -> bool:
    """After a candidate is applied: does the alert's conflict remain? Only an inactive
    person's alert names several shifts, so only it can (its detector says)."""
    if alert.kind != ConflictAlert.Kind.INACTIVE:
        return False
    return alert.fingerprint in {f.fingerprint for f in inactive_findings(alert.program)}


def _tell_moved(alert: ConflictAlert, candidate: dict[str, Any]) -> None:
    people = {int(c["person"]) for c in candidate["changes"] if c.get("person")}
    people |= {int(c["from"]) for c in candidate["changes"] if c.get("from")}
    from people.models import Person

    notify(
        list(Person.objects.filter(pk__in=people)),
        Event.ASSIGNMENT_CHANGED,
        program=alert.program_id,
        title="Your schedule changed to resolve a conflict",
        body="; ".join(candidate["diff"]),
        url="/my/schedule/",
        context={"alert": str(alert.code), "strategy": candidate["strategy"]},
    )


def schedule_detection_for(alert: ConflictAlert) -> None:
    from conflicts.triggers import schedule_detection

    schedule_detection(alert.program_id, alert.start_date, alert.end_date)


def conflict_dismiss(*, alert: ConflictAlert, reason: str, actor: Any) -> ConflictAlert:
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Dismissing an alert needs a reason.", details={"field": "reason"})
    with transaction.atomic(), set_actor(actor):
        alert = ConflictAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status not in (Status.OPEN, Status.ACKNOWLEDGED):
            raise ApplicationError(f"This alert is already {alert.get_status_display().lower()}.")
        alert.status = Status.DISMISSED
        alert.resolved_at = timezone.now()
        alert.resolved_by = actor if getattr(actor, "pk", None) else None
        alert.resolution = {"dismissed": reason}
        alert.save(
            update_fields=["status", "resolved_at", "resolved_by", "resolution", "updated_at"]
        )
    return alert


def conflicts_detect_ahead(*, days: int = 90) -> int:
    """The nightly pass: every program, from today over the next ``days`` days."""
    today = timezone.localdate()
    total = 0
    for program in Program.objects.filter(academic_years__isnull=False).distinct():
        try:
            counts = conflicts_detect(
                program=program, start=today, end=today + timedelta(days=days - 1)
            )
        except ApplicationError:
            continue  # a program with nothing to schedule has no conflicts to find
        total += counts["raised"]
    return total


def published_rows(program: Program, start: date, end: date) -> Any:
    return Assignment.objects.filter(
        person__program=program, state=State.PUBLISHED, date__range=(start, end)
    )
