"""Periodic API housekeeping (thin: the work is in api.services)."""

from __future__ import annotations

from celery import shared_task

from api import import_jobs, services


@shared_task(name="api.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    return services.idempotency_keys_purge()


# Acknowledged after the job, and given back when the worker dies: the job is claimed again.
@shared_task(name="api.run_import_job", acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> None:
    import_jobs.import_job_run(job_id=job_id)


@shared_task(name="api.expire_import_previews")
def expire_import_previews() -> int:
    return import_jobs.import_jobs_expire()


@shared_task(name="api.purge_expired_tokens")
def purge_expired_tokens() -> int:
    return services.expired_tokens_purge()
