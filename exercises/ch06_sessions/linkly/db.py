"""Open one SQLite connection per request, in the instance folder."""

import sqlite3
from importlib import resources

from flask import current_app, g


def get_db():
    """Return this request's database connection, opening it on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc=None):
    """Close this request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    """Create the tables that do not exist yet."""
    get_db().executescript(resources.files("linkly").joinpath("schema.sql").read_text())


def init_app(app):
    """Close connections after each request and make sure the tables exist."""
    app.teardown_appcontext(close_db)
    with app.app_context():
        init_db()
