"""The Flasklings classroom: an instructor hosts the course; students submit and see feedback."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path


def _secret_key(instance: Path) -> str:
    # Generated once and kept in the instance folder, so sessions survive a restart.
    path = instance / "secret_key"
    if not path.exists():
        # Several workers (gunicorn -w N) start at once: each writes a whole key aside and
        # links it into place. The first link wins; nobody crashes or reads a half-written key.
        fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def create_app(test_config: dict | None = None):
    """Create and configure the classroom app."""
    # Imported here so grading processes (pool children, RQ work horses) skip Flask.
    from flask import Flask

    # CLASSROOM_INSTANCE moves the instance folder (database, uploads, secret key) elsewhere.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("CLASSROOM_INSTANCE") or None)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{instance / 'classroom.sqlite'}",
        REDIS_URL="",
        STORAGE_DIR=str(instance / "submissions"),
        HIDDEN_CHECKS_DIR=str(instance / "hidden_checks"),
        COURSE_MANIFEST="",
        MAX_CONTENT_LENGTH=1024 * 1024,
        GRADING_WORKERS=2,
        EMBEDDED_POOL=True,
        HEARTBEAT_INTERVAL=5,
        HEARTBEAT_TIMEOUT=30,
        MAX_ATTEMPTS=3,
        JOB_TIMEOUT=180,
        # The grader's FLASKLINGS_SANDBOX for grading jobs: required|auto|off. "required": a host
        # that cannot isolate students' apps refuses to grade rather than run them next to the
        # secret key, the database, every submission and the hidden checks.
        SANDBOX="required",
        QUEUE_PREFIX="classroom",  # RQ queue names: PREFIX-interactive, PREFIX-bulk
        TOKEN_DAYS=180,
        LOGIN_LIMIT="10/minute",
        SUBMIT_LIMIT="30/minute",
        RATELIMIT_STORAGE_URI="memory://",
        PROXIES=0,  # reverse proxies in front (sets ProxyFix, so rate limits see client IPs)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.from_pyfile("config.py", silent=True)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("CLASSROOM")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if app.config["REDIS_URL"] and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        # Several web processes must share one count, or each would allow the full limit.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]

    if int(app.config["PROXIES"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from classroom import db

    db.upgrade(app.config["DATABASE_URL"])
    app.extensions["classroom_sessions"] = db.sessions(app.config["DATABASE_URL"])
    app.teardown_appcontext(db.close_db)

    from classroom import security

    security.init_app(app)

    from classroom import analytics, api, auth, deadlines, gradebook, queue_view, roster, student

    for module in (auth, api, student, roster, deadlines, gradebook, analytics, queue_view):
        app.register_blueprint(module.bp)
    security.csrf.exempt(api.bp)  # the API authenticates by bearer token, never by cookie

    if app.config["EMBEDDED_POOL"] and not app.config["REDIS_URL"] \
            and int(app.config["GRADING_WORKERS"]) > 0:
        from classroom.dispatch import job_settings
        from classroom.pool import Pool

        app.extensions["classroom_pool"] = Pool(int(app.config["GRADING_WORKERS"]),
                                                job_settings(app)).start()
    return app
