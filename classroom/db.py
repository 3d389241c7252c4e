"""Engines, sessions and migrations: one code path for SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_engines: dict[str, Engine] = {}
_engine_pid = os.getpid()
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets the web threads read while a grading process writes; the busy timeout makes
    # writers queue instead of failing with "database is locked".
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def engine(url: str) -> Engine:
    """Return the one engine for ``url`` in this process."""
    global _engine_pid
    with _lock:
        if _engine_pid != os.getpid():
            # A forked child (RQ's work horse) must not share its parent's pooled connections:
            # drop them here without closing them under the parent.
            for eng in _engines.values():
                eng.dispose(close=False)
            _engine_pid = os.getpid()
        if url not in _engines:
            if url.startswith("sqlite"):
                eng = create_engine(url, connect_args={"timeout": 10})
                event.listen(eng, "connect", _sqlite_pragmas)
            else:
                eng = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
            _engines[url] = eng
        return _engines[url]


def sessions(url: str) -> sessionmaker[Session]:
    """Return a session factory bound to ``url``."""
    return sessionmaker(engine(url), expire_on_commit=False)


def upgrade(url: str) -> None:
    """Bring the schema at ``url`` to the newest migration."""
    # Imported here: grading processes never migrate, and alembic costs ~0.15 s to import.
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # Several web workers start at once (gunicorn -w N): only one may migrate at a time.
    with _migration_lock(url), engine(url).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(72631)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def _migration_lock(url: str):
    """Hold a machine-wide file lock for ``url`` (SQLite lives on one machine)."""
    name = hashlib.sha256(url.encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"classroom-migrate-{name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def get_db() -> Session:
    """Return this request's session, opening it on first use."""
    from flask import current_app, g

    if "db" not in g:
        g.db = current_app.extensions["classroom_sessions"]()
    return g.db


def close_db(_exc=None) -> None:
    """Close this request's session, if one was opened."""
    from flask import g

    db = g.pop("db", None)
    if db is not None:
        db.close()
