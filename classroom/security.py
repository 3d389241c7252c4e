"""CSRF protection, rate limits and the clear error answers that go with them."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def submit_limit() -> str:
    return current_app.config["SUBMIT_LIMIT"]


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error(status: int, message: str):
    """Answer ``status`` with ``message``: JSON for the API, a page for people."""
    if wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def init_app(app) -> None:
    csrf.init_app(app)
    limiter.init_app(app)

    @app.after_request
    def headers(resp):
        # Pages show students' code and output: never sniff types, never frame, leak no paths.
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        return error(400, f"The form was refused: {exc.description} Reload the page and try "
                          "again.")

    @app.errorhandler(413)
    def too_large(_exc):
        cap = app.config["MAX_CONTENT_LENGTH"] // 1024
        return error(413, f"The upload is larger than the {cap} KiB this classroom accepts.")

    @app.errorhandler(429)
    def too_many(exc):
        return error(429, f"Too many attempts ({exc.description}); wait a minute and retry.")

    @app.errorhandler(403)
    def forbidden(_exc):
        return error(403, "This page is for the instructor only.")

    @app.errorhandler(404)
    def not_found(_exc):
        return error(404, "There is nothing here, or it is not yours to see.")

    @app.errorhandler(405)
    def bad_method(_exc):
        return error(405, f"{request.method} is not allowed here.")

    @app.errorhandler(400)
    def bad_request(exc):
        return error(400, getattr(exc, "description", "Bad request."))
