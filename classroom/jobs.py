"""The grading job: the embedded pool and RQ workers both call ``run_job`` unchanged.

A job row moves queued -> running -> done | failed. Each claim bumps ``attempt``; every later
write is guarded by that attempt, so a worker presumed dead (and re-queued by the sweeper)
cannot overwrite the result of the attempt that replaced it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import case, select, update

from classroom import archives, db, grading
from classroom.models import Job, Submission, utcnow
from grader import manifest

LANE_ORDER = case((Job.lane == "interactive", 0), else_=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def claim(sessions, job_id: int | None = None, worker: str = "") -> tuple[int, int] | None:
    """Claim job ``job_id`` (or the next queued one, students' lane first); None if taken."""
    with sessions() as s:
        for _ in range(20):
            jid = job_id
            if jid is None:
                jid = s.scalar(select(Job.id).where(Job.state == "queued")
                               .order_by(LANE_ORDER, Job.id).limit(1))
                if jid is None:
                    return None
            now = utcnow()
            hit = s.execute(update(Job).where(Job.id == jid, Job.state == "queued").values(
                state="running", attempt=Job.attempt + 1, worker=worker or worker_name(),
                started_at=now, heartbeat_at=now, error=""))
            if hit.rowcount == 1:
                attempt = s.scalar(select(Job.attempt).where(Job.id == jid))
                sub_id = s.scalar(select(Job.submission_id).where(Job.id == jid))
                s.execute(update(Submission).where(Submission.id == sub_id)
                          .values(state="running"))
                s.commit()
                return jid, attempt
            s.rollback()
            if job_id is not None:
                return None
    return None


@contextmanager
def heartbeat(sessions, job_id: int, attempt: int, interval: float):
    """Refresh the job's heartbeat while the body runs, so the sweeper knows we live."""
    stop = threading.Event()

    def beat():
        while not stop.wait(interval):
            try:
                with sessions() as s:
                    s.execute(update(Job).where(Job.id == job_id, Job.attempt == attempt,
                                                Job.state == "running")
                              .values(heartbeat_at=utcnow()))
                    s.commit()
            except Exception:  # noqa: BLE001, S110 — a missed beat is retried; the sweeper tolerates a few
                pass

    t = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{job_id}")
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join(timeout=interval + 1)


def finish(sessions, job_id: int, attempt: int, doc: dict | None, error: str = "") -> bool:
    """Write the outcome once: only the attempt holding the job may; False if it lost it."""
    with sessions() as s:
        now = utcnow()
        hit = s.execute(update(Job).where(Job.id == job_id, Job.attempt == attempt,
                                          Job.state == "running")
                        .values(state="done" if doc is not None else "failed",
                                finished_at=now, error=error[-4000:]))
        if hit.rowcount != 1:
            s.rollback()
            return False
        sub_id = s.scalar(select(Job.submission_id).where(Job.id == job_id))
        if doc is not None:
            values = {"state": "done", "status": doc["status"], "score": doc["score"],
                      "max_score": doc["max_score"], "graded_at": now,
                      "result_json": json.dumps(doc, ensure_ascii=False)}
        else:
            # A failed re-grade keeps the result the submission already had.
            values = {"state": case((Submission.result_json.is_not(None), "done"),
                                    else_="failed")}
        s.execute(update(Submission).where(Submission.id == sub_id).values(**values))
        s.commit()
        return True


def _grade(sessions, job_id: int, settings: dict) -> dict:
    with sessions() as s:
        sub = s.get(Job, job_id).submission
        chapter_id, archive = sub.chapter_id, sub.archive
    chapters = manifest.load(Path(settings["manifest"])) if settings.get("manifest") else None
    chapter = manifest.find(chapter_id, chapters)
    work = Path(tempfile.mkdtemp(prefix=f"classroom-job{job_id}-"))
    try:
        folder = work / chapter.slug
        folder.mkdir()
        archives.unpack(Path(settings["storage"]), archive, folder)
        return grading.grade(chapter, folder, settings.get("hidden_checks"),
                             settings.get("sandbox") or "required")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_job(job_id: int, settings: dict, attempt: int | None = None) -> str:
    """Grade job ``job_id``'s submission and store the results document as it is."""
    sessions = db.sessions(settings["database_url"])
    if attempt is None:
        claimed = claim(sessions, job_id)
        if claimed is None:
            return "skipped"  # someone else holds it or it is finished: nothing to do
        attempt = claimed[1]
    with heartbeat(sessions, job_id, attempt, float(settings.get("heartbeat_interval", 5))):
        try:
            doc = _grade(sessions, job_id, settings)
        except Exception:  # noqa: BLE001 — an infrastructure fault, not the student's code
            return _retry_or_fail(sessions, job_id, attempt, settings, traceback.format_exc())
    return "done" if finish(sessions, job_id, attempt, doc) else "lost-claim"


def _retry_or_fail(sessions, job_id: int, attempt: int, settings: dict, error: str) -> str:
    """Put the job back for another try, or fail it once its tries are used up."""
    if attempt >= int(settings.get("max_attempts", 3)):
        finish(sessions, job_id, attempt, None, error)
        return "failed"
    with sessions() as s:
        hit = s.execute(update(Job).where(Job.id == job_id, Job.attempt == attempt,
                                          Job.state == "running")
                        .values(state="queued", error=error[-4000:]))
        lane = s.scalar(select(Job.lane).where(Job.id == job_id))
        s.commit()
    if hit.rowcount == 1 and settings.get("redis_url"):
        from classroom.dispatch import enqueue_rq

        enqueue_rq(settings, job_id, lane, attempt)
    return "retry"
