"""Register, log in and log out, with sessions the server can revoke."""

import secrets
import sqlite3

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from linkly.db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/register", methods=("GET", "POST"))
def register():
    """Create an account from a username and a password."""
    if request.method == "GET":
        return render_template("auth/register.html")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not username or not password:
        flash("Username and password are both required.")
        return render_template("auth/register.html"), 400
    db = get_db()
    try:
        # Only a salted, slow hash is stored: a leaked database does not leak passwords.
        db.execute("INSERT INTO user (username, password_hash) VALUES (?, ?)",
                   (username, generate_password_hash(password)))
        db.commit()
    except sqlite3.IntegrityError:
        flash(f"The username {username} is taken.")
        return render_template("auth/register.html"), 400
    flash("Account created. Please log in.")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Log a user in and start a fresh session for this browser."""
    if request.method == "GET":
        return render_template("auth/login.html")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    db = get_db()
    user = db.execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
    if user is None or not check_password_hash(user["password_hash"], password):
        # One message for both cases, so the form does not reveal which usernames exist.
        flash("Wrong username or password.")
        return render_template("auth/login.html"), 401

    # Rotate: whatever session this browser had before (perhaps one an attacker planted)
    # is revoked, and the signed-in session gets a new id.
    _revoke(session.get("sid"))
    session.clear()
    sid = secrets.token_urlsafe(32)
    db.execute("INSERT INTO login_session (id, user_id) VALUES (?, ?)", (sid, user["id"]))
    db.commit()
    session.permanent = True
    session["user_id"] = user["id"]
    session["sid"] = sid
    flash(f"Welcome back, {user['username']}!")
    return redirect(url_for("pages.index"))


@bp.post("/logout")
def logout():
    """End the session here and on every copy of its cookie."""
    _revoke(session.get("sid"))
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("pages.index"))


@bp.before_app_request
def load_logged_in_user():
    """Put the signed-in user in g.user, if the session is still live on the server."""
    g.user = None
    sid, user_id = session.get("sid"), session.get("user_id")
    if sid is None or user_id is None:
        return
    g.user = get_db().execute(
        "SELECT user.id, user.username FROM login_session JOIN user"
        " ON user.id = login_session.user_id WHERE login_session.id = ? AND user.id = ?",
        (sid, user_id),
    ).fetchone()


def _revoke(sid):
    """Delete a session id on the server, so its cookie no longer signs anyone in."""
    if sid:
        db = get_db()
        db.execute("DELETE FROM login_session WHERE id = ?", (sid,))
        db.commit()
