"""The student's command-line API: who am I, submit a chapter, how did it grade."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from classroom import archives, chapters, dispatch, late
from classroom.auth import TokenRefused, user_for_token
from classroom.db import get_db
from classroom.models import Job, Submission
from classroom.present import describe
from classroom.security import error, limiter, submit_limit

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_CLIENT_SCORE = 1_000_000


def _token() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _rate_key() -> str:
    # Count per token, so a class behind one NAT address is not throttled as one person.
    return "token:" + (_token()[:16] or request.remote_addr or "?")


@bp.before_request
def authenticate():
    try:
        g.api_user = user_for_token(_token())
    except TokenRefused as exc:
        return error(401, str(exc))
    if g.api_user.role != "student":
        return error(403, "only students submit through the API")


@bp.get("/me")
def me():
    """Say whose token this is."""
    u = g.api_user
    return jsonify(id=u.id, name=u.name, email=u.email, section=u.section)


@bp.post("/submissions")
@limiter.limit(submit_limit, key_func=_rate_key)
def submit():
    """Store an uploaded chapter archive, queue it for grading, and answer with a receipt."""
    chapter = chapters.find(request.form.get("chapter", ""))
    if chapter is None:
        return error(400, f"unknown chapter {request.form.get('chapter', '')!r}")
    upload = request.files.get("archive")
    if upload is None:
        return error(400, "no archive: send the chapter as the multipart file 'archive'")
    data = upload.read()
    try:
        files = archives.read(data)
    except archives.BadArchive as exc:
        return error(400, str(exc))
    content = archives.digest(files)
    try:
        client_score = int(request.form.get("client_score", ""))
    except ValueError:
        client_score = None
    if client_score is not None and not 0 <= client_score <= MAX_CLIENT_SCORE:
        client_score = None  # shown, never trusted: a number the column cannot hold is dropped
    db = get_db()
    user = g.api_user
    table = late.policies(db, [user.id])
    policy = late.policy_for(table, user.id, chapter.id)
    same = _same(db, user.id, chapter.id, content)
    if same is not None:
        return jsonify(describe(same, policy) | {"duplicate": True}), 200
    # Durable on disk before the row exists, and the row before we acknowledge: an
    # acknowledged submission is never lost, at worst an unacknowledged file is orphaned.
    name = archives.store(current_app.config["STORAGE_DIR"], content, data)
    sub = Submission(user_id=user.id, chapter_id=chapter.id, content_hash=content, archive=name,
                     size=len(data), client_score=client_score, state="queued")
    try:
        db.add(sub)
        db.flush()
        job = Job(submission_id=sub.id, lane="interactive")
        db.add(job)
        db.commit()
    except IntegrityError:
        # The same upload raced us in and won: answer with that one.
        db.rollback()
        return jsonify(describe(_same(db, user.id, chapter.id, content), policy)
                       | {"duplicate": True}), 200
    dispatch.notify(job.id, job.lane)
    return jsonify(describe(sub, policy) | {"duplicate": False}), 201


def _same(db, user_id: int, chapter_id: str, content: str) -> Submission | None:
    return db.scalar(select(Submission).where(
        Submission.user_id == user_id, Submission.chapter_id == chapter_id,
        Submission.content_hash == content))


@bp.get("/submissions/<int:sub_id>")
def submission(sub_id: int):
    """Show one of the caller's own submissions; anyone else's is simply not found."""
    db = get_db()
    sub = db.get(Submission, sub_id)
    if sub is None or sub.user_id != g.api_user.id:
        return error(404, f"you have no submission #{sub_id}")
    table = late.policies(db, [g.api_user.id])
    return jsonify(describe(sub, late.policy_for(table, sub.user_id, sub.chapter_id)))
