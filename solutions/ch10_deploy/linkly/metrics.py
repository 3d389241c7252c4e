"""Prometheus metrics: request count and latency, clicks, and the /metrics endpoint.

Under gunicorn every worker process counts on its own. With PROMETHEUS_MULTIPROC_DIR set,
prometheus_client writes each worker's numbers to files in that folder and /metrics adds
them up, whichever worker answers the scrape.
"""

import os
import time

from flask import Blueprint, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROC_DIR:
    # Each metric opens its file in this folder as soon as it is created, just below.
    os.makedirs(MULTIPROC_DIR, exist_ok=True)

REQUESTS = Counter("linkly_http_requests_total", "HTTP requests answered.",
                   ["method", "endpoint", "status"])
LATENCY = Histogram("linkly_http_request_duration_seconds", "Time spent answering requests.",
                    ["endpoint"])
CLICKS = Counter("linkly_clicks_total", "Short links followed.")

bp = Blueprint("metrics", __name__)


def record_click():
    """Count one followed link."""
    CLICKS.inc()


def _start_timer():
    g.metrics_started = time.perf_counter()


def _record(response):
    # url_rule-based endpoint names keep the label set small: never label by raw path.
    endpoint = request.endpoint or "unknown"
    started = g.pop("metrics_started", None)
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    return response


def init_app(app):
    """Time and count every request the app answers."""
    app.before_request(_start_timer)
    app.after_request(_record)


@bp.get("/metrics")
def scrape():
    """Return every metric in Prometheus' text format, summed over all workers."""
    if MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
