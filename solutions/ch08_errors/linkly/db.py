"""One SQLite connection per request, and the schema."""

import os
import sqlite3

from flask import current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS link (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    title TEXT NOT NULL
);
"""


def database_path():
    """Return the database file, relative to the instance folder unless absolute."""
    return os.path.join(current_app.instance_path, current_app.config["DATABASE"])


def get_db():
    """Return this request's connection, opening it on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(database_path())
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc=None):
    """Close the connection at the end of the request, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    """Create the tables if they do not exist yet."""
    os.makedirs(os.path.dirname(database_path()), exist_ok=True)
    get_db().executescript(SCHEMA)


def init_app(app):
    """Register the teardown and make sure the schema exists."""
    app.teardown_appcontext(close_db)
    with app.app_context():
        init_db()
