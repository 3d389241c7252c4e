"""Linkly: a small link shortener that grows chapter by chapter."""

import os

from flask import Flask


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "linkly.sqlite"),
        STATS_DELAY=0.3,  # seconds the (deliberately slow) stats query takes
        STATS_TTL=10,  # seconds a computed stats report may be reused
        PROBE_DELAY=0.2,  # seconds one simulated link probe waits on the network
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    from . import checker, db, links, stats

    db.init_app(app)
    stats.init_app(app)
    app.register_blueprint(links.bp)
    app.register_blueprint(stats.bp)
    app.register_blueprint(checker.bp)

    @app.get("/health")
    def health():
        """Tell a load balancer or a monitor that the app is up."""
        return {"status": "ok"}

    return app
