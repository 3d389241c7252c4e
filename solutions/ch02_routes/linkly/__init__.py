"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask

from . import links, pages, store


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev")
    if test_config is not None:
        app.config.from_mapping(test_config)

    store.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(links.bp)
    return app
