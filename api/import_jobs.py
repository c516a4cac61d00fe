"""Import jobs: the upload is stored, a worker reads and checks it (preview) and, on request,
applies it all-or-nothing; the web request only stores the file and answers 202.

Statuses: queued -> running -> previewed (no error: may be applied) or failed (errors listed);
an apply is queued -> applying -> applied or failed. ``POST .../apply/`` with a file does both in
one job. The job's status, progress and result are what the API and the console show.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from auditlog.context import set_actor
from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api import imports
from api.models import ImportJob
from lib.errors import ApplicationError
from people.models import AcademicYear, Program

logger = logging.getLogger(__name__)
Status = ImportJob.Status


def import_job_create(
    *,
    kind: str,
    program: Program,
    year: AcademicYear | None,
    name: str,
    content: bytes,
    actor: Any,
    mode: str = ImportJob.Mode.PREVIEW,
    override_reason: str = "",
) -> ImportJob:
    """Store the file and queue its job once the request commits. ``override_reason`` lets an
    apply write schedule rows that break hard rules (kept on the rows, audited)."""
    with transaction.atomic(), set_actor(actor):
        job = ImportJob.objects.create(
            program=program,
            academic_year=year,
            kind=kind,
            mode=mode,
            actor=actor if getattr(actor, "pk", None) else None,
            filename=name[:255],
            size=len(content),
            content=content,
            override_reason=override_reason,
        )
        transaction.on_commit(partial(_enqueue, job.pk))
    return job


def import_job_apply(*, job: ImportJob, actor: Any) -> ImportJob:
    """Queue the apply of a previewed job (the file is read and checked again, in the apply's
    transaction, since the program may have changed since the preview)."""
    with transaction.atomic(), set_actor(actor):
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != Status.PREVIEWED:
            raise ApplicationError(
                f"Only a job previewed without errors can be applied; this one is "
                f"{job.get_status_display().lower()}.",
                details={"status": job.status},
            )
        job.mode, job.status = ImportJob.Mode.APPLY, Status.QUEUED
        job.actor = actor if getattr(actor, "pk", None) else None
        job.progress = job.rows_read = 0
        job.save(update_fields=["mode", "status", "actor", "progress", "rows_read", "updated_at"])
        transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    # By name from the app's registry, as scheduling queues its runs.
    task = current_app.tasks["api.run_import_job"]
    limit = settings.IMPORT_TIME_LIMIT_SECONDS
    task.apply_async(args=[job_id], soft_time_limit=limit, time_limit=limit + 60)


def import_job_run(*, job_id: int) -> None:
    """The worker's side. Claims the job; a job already finished is left alone (a second
    delivery does nothing). An apply commits its rows and its "applied" status together, so a
    job redelivered while "applying" had written nothing and may run again."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update()
            .filter(pk=job_id)
            .exclude(status__in=ImportJob.FINISHED)
            .first()
        )
        if job is None:
            return
        job.status = Status.RUNNING if job.mode == ImportJob.Mode.PREVIEW else Status.APPLYING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
    options: dict[str, Any] = {
        "kind": job.kind,
        "program": job.program,
        "name": job.filename,
        "content": bytes(job.content),
        "year": job.academic_year,
        "on_row": partial(_progress, job.pk),
    }
    try:
        if job.mode == ImportJob.Mode.PREVIEW:
            plan = imports.import_plan(**options)
            _finish(job, Status.FAILED if plan.errors else Status.PREVIEWED, plan.summary())
            return
        with transaction.atomic():
            plan = imports.import_apply(
                actor=job.actor, override_reason=job.override_reason, **options
            )
            _finish(job, Status.APPLIED, plan.summary())
    except ApplicationError as error:
        summary = error.details if "counts" in error.details else {}
        errors = error.details.get("errors") or [_reason(error.message)]
        _finish(job, Status.FAILED, summary, errors)
    except SoftTimeLimitExceeded:
        limit = settings.IMPORT_TIME_LIMIT_SECONDS
        _finish(job, Status.FAILED, {}, [_reason(f"Reading took longer than {limit} s.")])
    except Exception:
        logger.exception("import job %s stopped", job.code)
        _finish(job, Status.FAILED, {}, [_reason("The import stopped unexpectedly.")])


def import_jobs_expire() -> int:
    """Previews nobody applied within ``IMPORT_PREVIEW_HOURS`` fail and drop their file, so
    uploads do not pile up in the database (beat runs this hourly)."""
    cutoff = timezone.now() - timedelta(hours=settings.IMPORT_PREVIEW_HOURS)
    expired = [_reason("The preview expired before it was applied; upload the file again.")]
    return ImportJob.objects.filter(status=Status.PREVIEWED, finished_at__lt=cutoff).update(
        status=Status.FAILED, content=b"", errors=expired, updated_at=timezone.now()
    )


def _reason(text: str) -> dict[str, Any]:
    return {"row": 0, "column": "", "reason": text}


def _progress(job_id: int, rows: int, fraction: float | None) -> None:
    percent = min(int((fraction or 0) * 100), 99)
    ImportJob.objects.filter(pk=job_id).update(rows_read=rows, progress=percent)


def _finish(
    job: ImportJob,
    status: str,
    summary: dict[str, Any],
    errors: list[dict[str, Any]] | None = None,
) -> None:
    job.status = status
    job.result = summary
    job.counts = summary.get("counts", {})
    job.errors = summary.get("errors", []) if errors is None else errors
    job.progress = 100
    job.finished_at = timezone.now()
    fields = ["status", "result", "counts", "errors", "progress", "finished_at", "updated_at"]
    if status != Status.PREVIEWED:
        job.content = b""  # nothing more to read: the file is not kept
        fields.append("content")
    job.save(update_fields=fields)
