"""Request ids and structured (JSON) logs: one line per request, each with its request id."""

import logging
import re
import sys
import time
import uuid

from flask import g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
# A request id from outside (a proxy's, or a client's) is kept only if it is short and plain,
# so nobody can write fake lines or markup into our logs through it.
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdFilter(logging.Filter):
    """Stamp every log record with the current request's id (or "-" outside a request)."""

    def filter(self, record):
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def make_handler():
    """Return a handler writing one JSON object per line to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    ))
    handler.addFilter(RequestIdFilter())
    return handler


def start_request():
    """Adopt the caller's request id if it is safe, else make one; start the clock."""
    sent = request.headers.get(HEADER, "")
    g.request_id = sent if SAFE_ID.fullmatch(sent) else uuid.uuid4().hex
    g.started = time.perf_counter()


def finish_request(response):
    """Send the request id back and log one line about the request."""
    response.headers[HEADER] = g.get("request_id", "-")
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    logging.getLogger("linkly.access").info(
        "request", extra={"method": request.method, "path": request.path,
                          "status": response.status_code, "duration_ms": round(elapsed * 1000, 2)})
    return response


def init_app(app):
    """Log as JSON lines and give every request an id."""
    logger = logging.getLogger("linkly")
    # create_app() may run many times (tests do): replace our handler, never stack copies.
    logger.handlers = [make_handler()]
    logger.setLevel(logging.INFO)
    app.before_request(start_request)
    app.after_request(finish_request)
