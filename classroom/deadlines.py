"""Per-chapter deadlines with a late window and penalty, and per-student extensions."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from classroom import chapters
from classroom.auth import instructor_required
from classroom.db import get_db
from classroom.models import Deadline, Extension, User, aware

bp = Blueprint("deadlines", __name__, url_prefix="/deadlines")


def _when(text: str) -> datetime:
    """Parse a datetime-local field (read as UTC); raise ValueError with a readable message."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time like 2026-12-01T23:59") from None


def _int(text: str, name: str, top: int) -> int:
    try:
        value = int(text or 0)
    except ValueError:
        raise ValueError(f"{name} must be a whole number") from None
    if not 0 <= value <= top:
        raise ValueError(f"{name} must be between 0 and {top}")
    return value


@bp.get("/")
@instructor_required
def index():
    """Show each chapter's deadline and the extensions granted."""
    db = get_db()
    current = {d.chapter_id: d for d in db.scalars(select(Deadline))}
    extensions = db.scalars(select(Extension).order_by(Extension.chapter_id)).all()
    students = db.scalars(select(User).where(User.role == "student").order_by(User.name)).all()
    return render_template("deadlines.html", chapters=chapters.all_chapters(), current=current,
                           extensions=extensions, students=students, aware=aware)


@bp.post("/<chapter_id>")
@instructor_required
def set_deadline(chapter_id: str):
    """Set or clear a chapter's deadline."""
    chapter = chapters.find(chapter_id)
    if chapter is None:
        flash(f"There is no chapter {chapter_id}.")
        return redirect(url_for("deadlines.index")), 303
    db = get_db()
    row = db.get(Deadline, chapter.id)
    if not request.form.get("due_at"):
        if row is not None:
            db.delete(row)
            db.commit()
        flash(f"{chapter.id} has no deadline now.")
        return redirect(url_for("deadlines.index")), 303
    try:
        due = _when(request.form["due_at"])
        hours = _int(request.form.get("late_hours", "0"), "The late window", 24 * 60)
        pct = _int(request.form.get("late_penalty_pct", "0"), "The penalty", 100)
    except ValueError as exc:
        flash(f"Not saved: {exc}.")
        return redirect(url_for("deadlines.index")), 303
    if row is None:
        row = Deadline(chapter_id=chapter.id, due_at=due)
        db.add(row)
    row.due_at, row.late_hours, row.late_penalty_pct = due, hours, pct
    db.commit()
    flash(f"{chapter.id} is due {due:%Y-%m-%d %H:%M} UTC, {hours} h late window, "
          f"{pct}% off when late.")
    return redirect(url_for("deadlines.index")), 303


@bp.post("/extensions")
@instructor_required
def extend():
    """Grant (or change) one student's extension for one chapter."""
    db = get_db()
    chapter = chapters.find(request.form.get("chapter_id", ""))
    student = db.scalar(select(User).where(
        User.email == request.form.get("email", "").strip().lower(), User.role == "student"))
    try:
        if chapter is None or student is None:
            raise ValueError("choose a known student and chapter")
        due = _when(request.form.get("due_at", ""))
    except ValueError as exc:
        flash(f"Not saved: {exc}.")
        return redirect(url_for("deadlines.index")), 303
    ext = db.scalar(select(Extension).where(Extension.user_id == student.id,
                                            Extension.chapter_id == chapter.id))
    if ext is None:
        db.add(Extension(user_id=student.id, chapter_id=chapter.id, due_at=due))
    else:
        ext.due_at = due
    db.commit()
    flash(f"{student.name} has until {due:%Y-%m-%d %H:%M} UTC for {chapter.id}.")
    return redirect(url_for("deadlines.index")), 303
