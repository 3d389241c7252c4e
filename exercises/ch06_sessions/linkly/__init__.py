"""Linkly: a small link shortener that grows chapter by chapter."""

import os
from datetime import timedelta

from flask import Flask

from linkly import auth, db, pages


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to set and where."""


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "linkly.sqlite"),
        # TODO: configure the session cookie: out of reach of JavaScript (HttpOnly), not sent
        #       with other sites' form posts (SameSite=Lax), Secure left off here (production
        #       switches it on through FLASK_SESSION_COOKIE_SECURE), and a lifetime of 7 days
        #       for permanent sessions.
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY") and not app.testing:
        raise ConfigError("SECRET_KEY is not set: set FLASK_SECRET_KEY or put it in "
                          "instance/config.py")
    # A fresh checkout has no instance folder yet; tests may put the database elsewhere.
    os.makedirs(os.path.dirname(app.config["DATABASE"]), exist_ok=True)

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    return app
