"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        # Longest URL we agree to shorten; browsers and proxies start failing past ~2 KB.
        MAX_URL_LENGTH=2048,
        # TODO: refuse any request body larger than 64 KiB with 413, before a view reads it
        #       (Flask has a config key for that limit).
    )
    if test_config is not None:
        app.config.from_mapping(test_config)

    from linkly import api, errors, shortlinks, store

    store.init_app(app)
    errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(shortlinks.bp)

    @app.get("/health")
    def health():
        """Tell a monitor that the app is up."""
        return {"status": "ok"}

    return app
