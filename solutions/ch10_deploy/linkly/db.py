"""SQLite storage: one connection per request, shared by every thread and process."""

import sqlite3

from flask import current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    code TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    clicks INTEGER NOT NULL DEFAULT 0
);
"""

SEED = [
    ("flask", "https://flask.palletsprojects.com/"),
    ("werkzeug", "https://werkzeug.palletsprojects.com/"),
    ("jinja", "https://jinja.palletsprojects.com/"),
    ("python", "https://www.python.org/"),
]


def connect(path):
    """Open the database in autocommit mode, waiting (not failing) while others write."""
    # isolation_level=None: each statement commits on its own, so an UPDATE is atomic and
    # never holds a transaction open across a request. timeout: how long to wait for a lock.
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.row_factory = sqlite3.Row
    # With WAL, NORMAL still never corrupts the file; it skips one disk flush per commit.
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def get_db():
    """Return this request's connection, opening it on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None):
    """Close this request's connection, if it opened one."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db(path):
    """Create the table and the demo links, once."""
    conn = connect(path)
    try:
        # WAL lets readers carry on while one writer commits: better under concurrency.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        conn.executemany("INSERT OR IGNORE INTO links (code, url) VALUES (?, ?)", SEED)
    finally:
        conn.close()


def init_app(app):
    """Create the database when the app is created and close connections after requests."""
    init_db(app.config["DATABASE"])
    app.teardown_appcontext(close_db)
