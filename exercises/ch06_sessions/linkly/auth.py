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
    # TODO: save the user in the user table with a hash of the password (never the password
    #       itself); if the username is taken, flash a message and answer the form with 400.
    flash("Account created. Please log in.")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Log a user in and start a fresh session for this browser."""
    if request.method == "GET":
        return render_template("auth/login.html")
    # TODO: look the user up and check the password against the stored hash. On failure,
    #       flash an error and answer the form with 401. On success:
    #       - rotate the session: revoke the id this browser already had, clear the session,
    #         and record a new random session id for this user in the login_session table;
    #       - make the session permanent and store the user's id and the session id in it;
    #       - flash "Welcome back, <username>!" and redirect to the home page.
    return render_template("auth/login.html"), 401


@bp.post("/logout")
def logout():
    """End the session here and on every copy of its cookie."""
    # TODO: revoke this session's id on the server and clear the session, so neither this
    #       browser nor any copy of its cookie is signed in any more; then flash
    #       "You are logged out." and redirect to the home page.
    return redirect(url_for("pages.index"))


@bp.before_app_request
def load_logged_in_user():
    """Put the signed-in user in g.user, if the session is still live on the server."""
    g.user = None
    # TODO: when the session holds a user id and a session id that is still in the
    #       login_session table for that user, load that user (id and username) into g.user.


def _revoke(sid):
    """Delete a session id on the server, so its cookie no longer signs anyone in."""
    # TODO: delete the session id from the login_session table.
