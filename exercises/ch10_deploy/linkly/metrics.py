"""Prometheus metrics: request count and latency, clicks, and the /metrics endpoint.

Under gunicorn every worker process counts on its own. With PROMETHEUS_MULTIPROC_DIR set,
prometheus_client writes each worker's numbers to files in that folder and /metrics adds
them up, whichever worker answers the scrape.
"""

from flask import Blueprint

# TODO: define the metrics with prometheus_client (create the PROMETHEUS_MULTIPROC_DIR
#       folder first when that variable is set):
#       - a Counter linkly_http_requests_total labelled method, endpoint and status;
#       - a Histogram linkly_http_request_duration_seconds labelled endpoint;
#       - a Counter linkly_clicks_total.

bp = Blueprint("metrics", __name__)


def record_click():
    """Count one followed link."""
    # TODO: add one to linkly_clicks_total.


def init_app(app):
    """Time and count every request the app answers."""
    # TODO: register hooks that time each request and count it with its endpoint and status.


# TODO: answer GET /metrics with every metric in Prometheus' text format. When
#       PROMETHEUS_MULTIPROC_DIR is set, collect from all workers (a MultiProcessCollector
#       on a fresh CollectorRegistry); otherwise the default registry will do.
