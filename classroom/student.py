"""The student's pages: progress, submissions with feedback, and the course chapters."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template
from sqlalchemy import select

from classroom import chapters, late
from classroom.auth import student_required
from classroom.db import get_db
from classroom.gradebook import summarise
from classroom.models import Submission
from classroom.present import describe

bp = Blueprint("student", __name__)


@bp.get("/me")
@student_required
def home():
    """Show the student's progress per chapter and their submissions."""
    db = get_db()
    subs = db.scalars(select(Submission).where(Submission.user_id == g.user.id)
                      .order_by(Submission.id.desc())).all()
    table = late.policies(db, [g.user.id])
    course = chapters.all_chapters()
    progress = {c.id: summarise(subs, c.id, late.policy_for(table, g.user.id, c.id))
                for c in course}
    rows = [(s, describe(s, late.policy_for(table, g.user.id, s.chapter_id))) for s in subs]
    return render_template("student_home.html", chapters=course, progress=progress, rows=rows,
                           policies={c.id: late.policy_for(table, g.user.id, c.id)
                                     for c in course})


@bp.get("/me/submissions/<int:sub_id>")
@student_required
def submission(sub_id: int):
    """Show the feedback on one of the student's own submissions."""
    db = get_db()
    sub = db.get(Submission, sub_id)
    if sub is None or sub.user_id != g.user.id:
        abort(404)
    table = late.policies(db, [g.user.id])
    info = describe(sub, late.policy_for(table, sub.user_id, sub.chapter_id))
    return render_template("submission.html", sub=sub, info=info, result=sub.result,
                           files=None)


@bp.get("/chapters/<chapter_id>")
def chapter(chapter_id: str):
    """Render a chapter from its markdown source, code highlighted."""
    if g.user is None:
        abort(403)
    found = chapters.find(chapter_id)
    if found is None:
        abort(404)
    return render_template("chapter.html", chapter=found, body=chapters.render(found))


@bp.get("/chapters.css")
def chapters_css():
    """Serve the code-highlighting styles."""
    return Response(chapters.pygments_css(), mimetype="text/css",
                    headers={"Cache-Control": "max-age=3600"})
