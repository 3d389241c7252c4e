"""A slow statistics report, memoised for a while and sent with HTTP caching headers."""

import threading
import time
from datetime import UTC, datetime

from cachetools import TTLCache
from flask import Blueprint, current_app, jsonify, request

from .db import get_db

bp = Blueprint("stats", __name__)


def init_app(app):
    """Give the app one report cache, shared by all of its threads."""
    app.extensions["linkly_stats"] = {
        "cache": TTLCache(maxsize=1, ttl=app.config["STATS_TTL"]),
        "lock": threading.Lock(),
    }


def compute_stats():
    """Build the report the slow way: the work the cache exists to avoid."""
    db = get_db()
    # Stands in for a heavy aggregate query over a big click log.
    time.sleep(current_app.config["STATS_DELAY"])
    total = db.execute("SELECT COUNT(*), COALESCE(SUM(clicks), 0) FROM links").fetchone()
    top = db.execute("SELECT code, clicks FROM links ORDER BY clicks DESC, code LIMIT 3")
    return {
        "links": total[0],
        "clicks": total[1],
        "top": [{"code": row["code"], "clicks": row["clicks"]} for row in top],
        "generated_at": datetime.now(UTC).isoformat(),
    }


def cached_stats():
    """Return the report, computing it at most once per STATS_TTL seconds."""
    memo = current_app.extensions["linkly_stats"]
    # Holding the lock while computing makes concurrent first requests wait for one
    # computation instead of all running the slow query at once.
    with memo["lock"]:
        report = memo["cache"].get("report")
        if report is None:
            report = memo["cache"]["report"] = compute_stats()
    return report


@bp.get("/stats")
def stats():
    """Return the click statistics, cacheable and revalidatable by clients."""
    response = jsonify(cached_stats())
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["STATS_TTL"]
    response.add_etag()
    # Answers 304 Not Modified with no body when the client's If-None-Match still matches.
    return response.make_conditional(request)
