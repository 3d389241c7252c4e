"""Accounts: register, sign in, sign out."""

import functools
import sqlite3

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.before_app_request
def load_logged_in_user():
    """Put the signed-in user (or None) on g for this request."""
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        g.user = get_db().execute(
            "SELECT id, username FROM user WHERE id = ?", (user_id,)
        ).fetchone()


def login_required(view):
    """Send anonymous visitors to the sign-in page instead of running ``view``."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login"))
        return view(**kwargs)

    return wrapped


def _credentials():
    """Return the submitted username and password, and an error message or None."""
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not username or not password:
        return username, password, "Username and password are required."
    if len(username) > 40 or not username.isprintable():
        return username, password, "A username is at most 40 printable characters."
    return username, password, None


@bp.route("/register", methods=("GET", "POST"))
def register():
    """Create an account and sign it in."""
    if request.method == "POST":
        username, password, error = _credentials()
        if error is None:
            db = get_db()
            try:
                cur = db.execute(
                    "INSERT INTO user (username, password) VALUES (?, ?)",
                    (username, generate_password_hash(password)),
                )
                db.commit()
            except sqlite3.IntegrityError:
                error = f"User {username} is already registered."
            else:
                session.clear()
                session["user_id"] = cur.lastrowid
                return redirect(url_for("links.index"))
        flash(error)
        return render_template("auth/register.html"), 400
    return render_template("auth/register.html")


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Sign in with a username and password."""
    if request.method == "POST":
        username, password, error = _credentials()
        if error is None:
            user = get_db().execute(
                "SELECT * FROM user WHERE username = ?", (username,)
            ).fetchone()
            if user is None or not check_password_hash(user["password"], password):
                error = "Wrong username or password."
            else:
                # A fresh session on sign-in, so a planted session id is worth nothing.
                session.clear()
                session["user_id"] = user["id"]
                return redirect(url_for("links.index"))
        flash(error)
        return render_template("auth/login.html"), 400
    return render_template("auth/login.html")


@bp.post("/logout")
def logout():
    """Sign out."""
    session.clear()
    return redirect(url_for("index"))
