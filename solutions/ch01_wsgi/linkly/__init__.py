"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev")
    if test_config is not None:
        app.config.from_mapping(test_config)

    @app.route("/")
    def index():
        """Show the home page."""
        return "<h1>Linkly</h1><p>Short links, served by Flask.</p>"

    @app.get("/health")
    def health():
        """Tell a load balancer or a monitor that the app is up."""
        return {"status": "ok"}

    return app
