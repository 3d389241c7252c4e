"""Linkly: a small link shortener that grows chapter by chapter."""

import os

from flask import Flask


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "linkly.sqlite"),
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    # TODO: outside tests, take the configuration from the environment instead of the
    #       built-in "dev" key (FLASK_SECRET_KEY becomes SECRET_KEY), and refuse to start
    #       with a clear error when no secret key is set.
    os.makedirs(app.instance_path, exist_ok=True)

    # TODO: the app runs behind exactly one proxy (nginx, or the platform's router): make
    #       it trust that proxy's X-Forwarded-For, -Proto and -Host headers, one hop only.

    from . import db, health, links, metrics

    db.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(links.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    return app
