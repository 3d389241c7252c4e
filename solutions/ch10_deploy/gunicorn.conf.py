"""Gunicorn settings for Linkly in production: `gunicorn -c gunicorn.conf.py 'linkly:create_app()'`."""

import multiprocessing
import os
import shutil

# Heroku and Elastic Beanstalk say which port to use in $PORT; elsewhere 8000. The systemd
# unit overrides this with --bind 127.0.0.1:8000 so only nginx can reach gunicorn.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# A common starting point: two workers per core plus one. WEB_CONCURRENCY lets the
# platform (or you) pick without editing this file.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = 4
# A worker silent for this long is killed and replaced: a stuck request cannot hang forever.
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"

# Every worker writes its metrics here; /metrics adds them up (see linkly/metrics.py).
# Set before the workers import the app, so they all see it.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/linkly-metrics")


def on_starting(server):
    """Start with an empty metrics folder: old workers' numbers must not leak in."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)


def child_exit(server, worker):
    """Tell prometheus_client that a worker is gone, so its live gauges are dropped."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
