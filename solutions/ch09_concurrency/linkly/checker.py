"""An async view: probe every link's target at the same time, not one after another."""

import asyncio

from flask import Blueprint, current_app

from .db import get_db

bp = Blueprint("checker", __name__)


async def probe(url, delay):
    """Pretend to fetch ``url``; the sleep stands in for waiting on a remote server."""
    await asyncio.sleep(delay)
    return {"url": url, "ok": url.startswith("https://")}


@bp.get("/api/links/check")
async def check_links():
    """Probe all links concurrently and report each result."""
    rows = get_db().execute("SELECT code, url FROM links ORDER BY code").fetchall()
    delay = current_app.config["PROBE_DELAY"]
    # gather() runs the probes together: the wait is the slowest probe, not their sum.
    results = await asyncio.gather(*(probe(row["url"], delay) for row in rows))
    return {"checked": [{"code": row["code"], **res} for row, res in zip(rows, results)]}
