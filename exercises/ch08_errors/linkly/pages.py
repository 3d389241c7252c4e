"""The HTML pages: the home page and one page per link."""

from flask import Blueprint, render_template

from .api import get_link_or_raise
from .db import get_db

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """List every link."""
    links = get_db().execute("SELECT * FROM link ORDER BY id DESC").fetchall()
    return render_template("index.html", links=links)


@bp.get("/links/<int:link_id>")
def link(link_id):
    """Show one link."""
    return render_template("link.html", link=get_link_or_raise(link_id))
