"""``python -m classroom worker``: run grading jobs outside the web process.

With REDIS_URL set it is an RQ worker on the two lanes (students' "interactive" queue always
first, then "bulk" re-grades) plus a sweeper thread; without, it runs the embedded pool here.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from datetime import timedelta

from sqlalchemy import select

from classroom import db, dispatch, sweeper
from classroom.models import Job, utcnow

RESEND_AFTER_S = 30


def rq_id(job_id: int, attempt: int) -> str:
    return f"classroom-job-{job_id}-try-{attempt}"


def sweep_rq(settings: dict) -> int:
    """Re-queue dead workers' jobs, and re-send queued rows that Redis does not hold."""
    from redis import Redis
    from rq.job import Job as RQJob
    from rq.job import JobStatus

    sessions = db.sessions(settings["database_url"])
    requeued = set(sweeper.sweep(sessions, float(settings["heartbeat_timeout"]),
                                 int(settings["max_attempts"])))
    conn = Redis.from_url(settings["redis_url"])
    cutoff = utcnow() - timedelta(seconds=RESEND_AFTER_S)
    sent = 0
    with sessions() as s:
        rows = s.execute(select(Job.id, Job.attempt, Job.lane).where(
            Job.state == "queued", (Job.enqueued_at < cutoff) | Job.id.in_(requeued))).all()
    for job_id, attempt, lane in rows:
        try:
            status = RQJob.fetch(rq_id(job_id, attempt), connection=conn).get_status()
        except Exception:  # noqa: BLE001
            status = None
        if status in (None, JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED,
                      JobStatus.CANCELED):
            dispatch.enqueue_rq(settings, job_id, lane, attempt)
            sent += 1
    return sent


def _sweep_forever(settings: dict, stop: threading.Event) -> None:
    every = max(1.0, float(settings["heartbeat_timeout"]) / 2)
    while not stop.wait(every):
        try:
            sweep_rq(settings)
        except Exception as exc:  # noqa: BLE001 — Redis or the database away for a moment: next round
            print(f"classroom: sweeper: {exc}", file=sys.stderr)


def main(app, threads: int, burst: bool) -> int:
    settings = dispatch.job_settings(app)
    if settings["redis_url"]:
        import pytest  # noqa: F401
        from redis import Redis
        from rq import Worker

        # RQ forks a work horse per job: import the grader once here, not in every horse.
        import grader.plugin
        import grader.runner  # noqa: F401

        stop = threading.Event()
        threading.Thread(target=_sweep_forever, args=(settings, stop), daemon=True).start()
        conn = Redis.from_url(settings["redis_url"])
        # Listed in order: an RQ worker always drains the students' lane before re-grades.
        queues = [dispatch.rq_queue(settings, lane) for lane in dispatch.LANES]
        try:
            Worker(queues, connection=conn).work(burst=burst, with_scheduler=False,
                                                 logging_level="WARNING")
        finally:
            stop.set()
        return 0
    from classroom.pool import Pool

    pool = Pool(threads, settings).start()
    signal.signal(signal.SIGTERM, lambda *_: pool.stop())
    sessions = db.sessions(settings["database_url"])
    try:
        while not pool.stopping.is_set():
            time.sleep(1)
            if burst:
                with sessions() as s:
                    busy = s.scalar(select(Job.id).where(Job.state.in_(("queued", "running")))
                                    .limit(1))
                if busy is None:
                    pool.stop()
    except KeyboardInterrupt:
        pool.stop()
    return 0
