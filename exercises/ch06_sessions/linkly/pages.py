"""The home page and who-am-I."""

from flask import Blueprint, g, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """Show the home page with any flashed messages."""
    return render_template("index.html")


@bp.get("/me")
def me():
    """Say who is signed in, as JSON; 401 when nobody is."""
    if g.user is None:
        return {"error": "not logged in"}, 401
    return {"username": g.user["username"]}


@bp.get("/health")
def health():
    """Tell a load balancer or a monitor that the app is up."""
    return {"status": "ok"}
