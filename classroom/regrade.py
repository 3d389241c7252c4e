"""Re-grade a chapter: one bulk-lane job for every student's latest submission."""

from __future__ import annotations

from sqlalchemy import func, select

from classroom import dispatch
from classroom.models import Job, Submission


def queue_latest(app, chapter_id: str) -> list[int]:
    """Queue a bulk re-grade of each student's latest ``chapter_id`` submission; return job ids."""
    sessions = app.extensions["classroom_sessions"]
    with sessions() as db:
        latest = select(func.max(Submission.id)).where(Submission.chapter_id == chapter_id) \
            .group_by(Submission.user_id)
        jobs = [Job(submission_id=sid, lane="bulk") for sid in db.scalars(latest)]
        db.add_all(jobs)
        db.commit()
        ids = [j.id for j in jobs]
    for job_id in ids:
        dispatch.notify(job_id, "bulk", app)
    return ids
