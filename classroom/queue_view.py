"""The live grading queue: how many jobs wait, run, finished or failed, and each one's times."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from classroom.auth import instructor_required
from classroom.db import get_db
from classroom.models import Job, Submission, aware

bp = Blueprint("queue_view", __name__, url_prefix="/queue")
RECENT = 50


def _secs(a, b) -> float | None:
    return round((aware(b) - aware(a)).total_seconds(), 2) if a and b else None


def snapshot(db) -> dict:
    """Return counts per state and lane, and the most recent jobs."""
    counts = {f"{lane}:{state}": n for lane, state, n in db.execute(
        select(Job.lane, Job.state, func.count()).group_by(Job.lane, Job.state))}
    jobs = db.scalars(select(Job).options(selectinload(Job.submission)
                                          .selectinload(Submission.user))
                      .order_by(Job.id.desc()).limit(RECENT)).all()
    return {
        "counts": {state: sum(n for k, n in counts.items() if k.endswith(":" + state))
                   for state in ("queued", "running", "done", "failed")},
        "lanes": counts,
        "jobs": [{
            "id": j.id, "submission": j.submission_id, "chapter": j.submission.chapter_id,
            "student": j.submission.user.name, "lane": j.lane, "state": j.state,
            "attempt": j.attempt, "worker": j.worker,
            "enqueued_at": aware(j.enqueued_at).strftime("%H:%M:%S"),
            "wait_s": _secs(j.enqueued_at, j.started_at),
            "run_s": _secs(j.started_at, j.finished_at),
            "error": (j.error or "").strip().splitlines()[-1:] or [""],
        } for j in jobs],
    }


@bp.get("/")
@instructor_required
def index():
    """Show the queue; the page refreshes itself from queue.json."""
    return render_template("queue.html", snap=snapshot(get_db()))


@bp.get("/data.json")
@instructor_required
def data():
    """Return the queue snapshot as JSON."""
    return jsonify(snapshot(get_db()))
