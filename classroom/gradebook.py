"""The instructor's gradebook: students × chapters, CSV export, and any submission in full."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from classroom import chapters, late
from classroom.auth import instructor_required
from classroom.db import get_db
from classroom.models import Submission, User
from classroom.present import describe

bp = Blueprint("gradebook", __name__)
MAX_SHOWN_FILE = 100_000


def summarise(subs, chapter_id: str, policy: late.Policy) -> dict:
    """Best counted score, attempts, last submission time and late flag for one cell."""
    mine = [s for s in subs if s.chapter_id == chapter_id]
    # A submission being re-graded keeps counting with its last result meanwhile.
    graded = [s for s in mine if s.score is not None]
    best = max(graded, key=lambda s: (policy.counted(s.score, s.submitted_at), -s.id),
               default=None)
    return {
        "attempts": len(mine),
        "best": policy.counted(best.score, best.submitted_at) if best else None,
        "raw": best.score if best else None,
        "max": best.max_score if best else None,
        "late": bool(best) and policy.verdict(best.submitted_at) != "on time",
        "last": max((s.submitted_at for s in mine), default=None),
        "pending": any(s.state in ("queued", "running") for s in mine),
        "best_id": best.id if best else None,
    }


def table(db):
    """Return (chapters, [(student, {chapter id: cell})]) for the whole class."""
    course = chapters.all_chapters()
    students = db.scalars(select(User).where(User.role == "student")
                          .options(selectinload(User.submissions))
                          .order_by(User.section, User.name)).all()
    pol = late.policies(db)
    rows = [(u, {c.id: summarise(u.submissions, c.id, late.policy_for(pol, u.id, c.id))
                 for c in course}) for u in students]
    return course, rows


@bp.get("/gradebook")
@instructor_required
def index():
    """Show every student's standing in every chapter."""
    course, rows = table(get_db())
    return render_template("gradebook.html", chapters=course, rows=rows)


def _cell(value):
    """Keep a spreadsheet from reading a student's name (or email, section) as a formula."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


@bp.get("/gradebook.csv")
@instructor_required
def export():
    """Download the gradebook as CSV: one row per student, one column per chapter."""
    course, rows = table(get_db())
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Student", "Email", "Section"]
               + [f"{c.id} {c.title} ({c.points or '?'} pts)" for c in course])
    for user, cells in rows:
        w.writerow([_cell(user.name), _cell(user.email), _cell(user.section)]
                   + ["" if cells[c.id]["best"] is None else cells[c.id]["best"]
                      for c in course])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=flasklings-gradebook.csv"})


def _files(sub: Submission) -> list[tuple[str, str]]:
    path = Path(current_app.config["STORAGE_DIR"]) / sub.archive
    shown = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            body = zf.read(info)[:MAX_SHOWN_FILE]
            shown.append((info.filename, body.decode("utf-8", "replace")))
    return sorted(shown)


@bp.get("/submissions/<int:sub_id>")
@instructor_required
def submission(sub_id: int):
    """Show a submission in full: files, results, and the HTTP exchanges that failed."""
    db = get_db()
    sub = db.get(Submission, sub_id)
    if sub is None:
        abort(404)
    pol = late.policies(db, [sub.user_id])
    info = describe(sub, late.policy_for(pol, sub.user_id, sub.chapter_id))
    return render_template("submission.html", sub=sub, info=info, result=sub.result,
                           files=_files(sub))


@bp.get("/students/<int:user_id>")
@instructor_required
def student(user_id: int):
    """List every submission of one student, newest first, with the late policy applied."""
    db = get_db()
    user = db.get(User, user_id)
    if user is None or user.role != "student":
        abort(404)
    pol = late.policies(db, [user.id])
    subs = sorted(user.submissions, key=lambda s: s.id, reverse=True)
    rows = [(s, describe(s, late.policy_for(pol, user.id, s.chapter_id))) for s in subs]
    return render_template("student_history.html", student=user, rows=rows)
