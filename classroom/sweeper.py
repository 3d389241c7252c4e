"""Put back jobs whose worker stopped beating; give up on a job after a bounded number of tries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, select, update

from classroom.models import Job, Submission, utcnow


def sweep(sessions, heartbeat_timeout: float, max_attempts: int) -> list[int]:
    """Re-queue stale running jobs (or fail them after ``max_attempts``); return re-queued ids."""
    cutoff = utcnow() - timedelta(seconds=heartbeat_timeout)
    requeued = []
    with sessions() as s:
        stale = s.execute(select(Job.id, Job.attempt, Job.submission_id)
                          .where(Job.state == "running", Job.heartbeat_at < cutoff)).all()
        for job_id, attempt, sub_id in stale:
            give_up = attempt >= max_attempts
            hit = s.execute(update(Job).where(Job.id == job_id, Job.attempt == attempt,
                                              Job.state == "running")
                            .values(state="failed" if give_up else "queued",
                                    finished_at=utcnow() if give_up else None,
                                    error=f"worker stopped answering (attempt {attempt})"))
            if hit.rowcount == 1:
                kept = case((Submission.result_json.is_not(None), "done"), else_="failed")
                s.execute(update(Submission).where(Submission.id == sub_id)
                          .values(state=kept if give_up else "queued"))
                if not give_up:
                    requeued.append(job_id)
        s.commit()
    return requeued
