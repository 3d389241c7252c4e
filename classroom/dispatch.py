"""Hand a queued job to whatever runs jobs here: RQ when REDIS_URL is set, else the pool."""

from __future__ import annotations

import functools

from flask import current_app

LANES = ("interactive", "bulk")


def job_settings(app) -> dict:
    """Return what a grading job needs to know, JSON-serialisable for RQ and child processes."""
    c = app.config
    return {
        "database_url": c["DATABASE_URL"],
        "storage": str(c["STORAGE_DIR"]),
        "hidden_checks": str(c["HIDDEN_CHECKS_DIR"]),
        "manifest": str(c["COURSE_MANIFEST"]) if c.get("COURSE_MANIFEST") else "",
        "heartbeat_interval": c["HEARTBEAT_INTERVAL"],
        "heartbeat_timeout": c["HEARTBEAT_TIMEOUT"],
        "max_attempts": c["MAX_ATTEMPTS"],
        "job_timeout": c["JOB_TIMEOUT"],
        "redis_url": c.get("REDIS_URL") or "",
        "sandbox": c["SANDBOX"],
        "queue_prefix": c["QUEUE_PREFIX"],
    }


@functools.lru_cache(maxsize=4)
def _redis(url: str):
    # One client (and its connection pool) per process, not one per request.
    from redis import Redis

    return Redis.from_url(url)


def rq_queue(settings: dict, lane: str):
    """Return the RQ queue for ``lane`` (students' "interactive" or re-grades' "bulk")."""
    from rq import Queue

    return Queue(f"{settings['queue_prefix']}-{lane}", connection=_redis(settings["redis_url"]))


def enqueue_rq(settings: dict, job_id: int, lane: str, attempt: int = 0) -> None:
    """Put job ``job_id`` on its RQ lane; the row stays the truth, RQ only carries the id."""
    from classroom.worker import rq_id

    rq_queue(settings, lane).enqueue(
        "classroom.jobs.run_job", job_id, settings, job_id=rq_id(job_id, attempt),
        job_timeout=int(settings["job_timeout"]), result_ttl=60, failure_ttl=3600)


def notify(job_id: int, lane: str, app=None) -> None:
    """Tell the runners that job ``job_id`` is queued (after its row is committed)."""
    app = app or current_app._get_current_object()
    settings = job_settings(app)
    if settings["redis_url"]:
        try:
            enqueue_rq(settings, job_id, lane)
        except Exception as exc:  # noqa: BLE001 — the row is queued; the sweeper re-sends it later
            app.logger.warning("could not reach Redis for job %s: %s", job_id, exc)
        return
    pool = app.extensions.get("classroom_pool")
    if pool is not None:
        pool.wake.set()
