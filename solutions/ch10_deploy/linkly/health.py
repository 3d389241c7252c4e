"""The health endpoint a load balancer, systemd or a container platform polls."""

import sqlite3

from flask import Blueprint

from .db import get_db

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """Answer 200 when the app can reach its database, 503 when it cannot."""
    try:
        get_db().execute("SELECT 1").fetchone()
    except sqlite3.Error as exc:
        return {"status": "error", "database": str(exc)}, 503
    return {"status": "ok", "database": "ok"}
