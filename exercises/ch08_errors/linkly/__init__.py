"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask

from . import api, db, errors, pages, requestlog


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev", DATABASE="linkly.sqlite", CRASH_ROUTE=False)
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)

    requestlog.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)

    @app.get("/health")
    def health():
        """Tell a load balancer or a monitor that the app is up."""
        return {"status": "ok"}

    if app.config["CRASH_ROUTE"]:
        # Error-reporting services ask for a route like this to prove the whole path works:
        # the visitor sees a polite 500, the log gets the traceback.
        @app.get("/debug/crash")
        def crash():
            """Fail on purpose."""
            raise RuntimeError("planted failure: the database password is hunter2")

    return app
