"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask, g, redirect, render_template, url_for

from . import auth, db, headers, links


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE="linkly.sqlite",
        # A second layer against CSRF: browsers leave the cookie off cross-site POSTs.
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)

    db.init_app(app)
    # TODO: protect every POST with a CSRF token: Flask-WTF's CSRFProtect does it for the
    #       whole app, and gives templates a csrf_token() function to put in each form.
    headers.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(links.bp)

    @app.get("/")
    def index():
        """Show the home page, or go straight to the signed-in user's links."""
        if g.user is not None:
            return redirect(url_for("links.index"))
        return render_template("index.html")

    @app.get("/health")
    def health():
        """Tell a load balancer or a monitor that the app is up."""
        return {"status": "ok"}

    return app
