"""Sign-in for people (instructor password, student token) and the role guards on every route."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from classroom.db import get_db
from classroom.models import User, aware, utcnow
from classroom.security import limiter, login_limit

bp = Blueprint("auth", __name__)
TOKEN_PREFIX = "flk_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def issue_token(user: User, days: int) -> str:
    """Give ``user`` a new personal token, keep only its hash, and return it (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    user.token_hash = hash_token(token)
    user.token_expires_at = utcnow() + timedelta(days=days)
    return token


class TokenRefused(Exception):
    """The token is unknown or expired; the message says which."""


def user_for_token(token: str) -> User:
    """Return the student whose token this is, or raise TokenRefused."""
    if not token:
        raise TokenRefused("no token given: send `Authorization: Bearer TOKEN`")
    user = get_db().scalar(select(User).where(User.token_hash == hash_token(token)))
    if user is None:
        raise TokenRefused("this token is not known here; check it, or ask your instructor "
                           "for a new one")
    if user.token_expires_at is not None and aware(user.token_expires_at) < utcnow():
        raise TokenRefused("this token has expired; ask your instructor to re-issue yours")
    return user


def session_stamp(user: User) -> str:
    """Return a fingerprint of the credential ``user`` signed in with.

    It changes when that credential does (a token re-issued, a password reset), so a session
    opened with the old one ends with it.
    """
    secret = user.token_hash if user.role == "student" else user.password_hash
    return hashlib.sha256(f"{user.id}:{secret or ''}".encode()).hexdigest()


@bp.before_app_request
def load_user() -> None:
    uid = session.get("uid")
    user = get_db().get(User, uid) if uid is not None else None
    if user is not None:
        expired = user.role == "student" and user.token_expires_at is not None \
            and aware(user.token_expires_at) < utcnow()
        if expired or not secrets.compare_digest(session.get("stamp", ""), session_stamp(user)):
            session.clear()
            user = None
    g.user = user


def _guard(role: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("auth.login", next=request.path))
            if g.user.role != role:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


instructor_required = _guard("instructor")
student_required = _guard("student")


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    # Only local paths: an open redirect would help phishing. Browsers read a backslash as a
    # slash and drop tabs and newlines, so "/\\evil" or "/<TAB>/evil" would leave the site.
    if not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    return target


@bp.route("/login", methods=("GET", "POST"))
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Sign in with an email and password (instructor) or a personal token (student)."""
    if request.method == "POST":
        db = get_db()
        if request.form.get("token"):
            try:
                user = user_for_token(request.form["token"])
            except TokenRefused as exc:
                flash(str(exc).capitalize() + ".")
                return render_template("login.html"), 401
        else:
            email = request.form.get("email", "").strip().lower()
            user = db.scalar(select(User).where(User.email == email,
                                                User.role == "instructor"))
            # Hash the password even for an unknown email, so the answer's timing does not tell
            # which emails are instructors.
            known = user.password_hash if user is not None and user.password_hash else None
            if not check_password_hash(known or _dummy_hash(), request.form.get("password", "")) \
                    or known is None:
                flash("That email and password do not match an instructor account.")
                return render_template("login.html"), 401
        session.clear()
        session["uid"] = user.id
        session["stamp"] = session_stamp(user)
        home = "gradebook.index" if user.role == "instructor" else "student.home"
        return redirect(_safe_next(url_for(home)))
    return render_template("login.html")


@bp.post("/logout")
def logout():
    """Sign out."""
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/")
def index():
    """Send each person to their own start page."""
    if g.user is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for("gradebook.index" if g.user.role == "instructor" else "student.home"))


def token_days() -> int:
    return int(current_app.config["TOKEN_DAYS"])
