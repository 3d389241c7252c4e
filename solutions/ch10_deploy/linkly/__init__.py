"""Linkly: a small link shortener that grows chapter by chapter."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DATABASE=os.path.join(app.instance_path, "linkly.sqlite"))
    if test_config is None:
        # FLASK_SECRET_KEY=... becomes SECRET_KEY, FLASK_DATABASE=... becomes DATABASE:
        # the same code runs everywhere, only the environment differs.
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        # Failing at startup beats running with a guessable or per-process key.
        raise RuntimeError("FLASK_SECRET_KEY is not set: refusing to start without a secret "
                           "key (every worker and every restart must share the same one)")
    os.makedirs(app.instance_path, exist_ok=True)

    # Behind exactly one proxy (nginx, Heroku's router): trust one X-Forwarded-* hop.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from . import db, health, links, metrics

    db.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(links.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    return app
