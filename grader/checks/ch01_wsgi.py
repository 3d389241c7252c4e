"""Chapter 1 checks: the Linkly app factory and a plain WSGI app, served live."""

from grader.checking import (
    check,
    expect_header,
    expect_in_body,
    expect_status,
    fail,
    html,
    json_body,
    pretty_json,
)


@check(points=2, hints=[
    "The view for / returns the page. Anything a view returns as a string is sent as HTML.",
    "Return markup with a heading: <h1>Linkly</h1>.",
])
def test_home_page(client):
    """The home page answers 200 with an <h1> that says Linkly."""
    r = client.get("/")
    expect_status(r, 200)
    expect_header(r, "Content-Type", contains="text/html")
    h1 = html(r).find("h1")
    if h1 is None or "Linkly" not in h1.get_text():
        fail("the home page has no <h1> heading saying Linkly",
             expected="<h1>Linkly</h1>", actual=r.text[:200])


@check(points=2, hints=[
    "Each URL the app answers needs a route: @app.get('/health') above a view function.",
    "A view that returns a dict, such as {'status': 'ok'}, makes Flask answer JSON.",
])
def test_health(client):
    """GET /health answers the JSON {"status": "ok"}."""
    r = client.get("/health")
    expect_status(r, 200)
    data = json_body(r)
    if data != {"status": "ok"}:
        fail("GET /health answered the wrong JSON", expected='{"status": "ok"}', actual=pretty_json(data))


@check(points=1, hints=["Flask answers 404 Not Found by itself for any URL without a route."])
def test_unknown_page(client):
    """A URL the app does not know answers 404."""
    expect_status(client.get("/no-such-page"), 404)


@check(points=2, hints=[
    "A WSGI app finds the request's method and path in the environ dict.",
    ("environ['REQUEST_METHOD'] and environ['PATH_INFO']; the Content-Type header goes to "
     "start_response as ('Content-Type', 'text/plain; charset=utf-8')."),
])
def test_plain_wsgi_app(start_app):
    """The plain WSGI app echoes the method and path as text/plain."""
    app = start_app(target="wsgi_hello:application")
    client = app.client()
    r = client.get("/any/path/at/all")
    expect_status(r, 200)
    expect_header(r, "Content-Type", contains="text/plain")
    expect_in_body(r, "You asked for GET /any/path/at/all")
    r = client.delete("/elsewhere")
    expect_in_body(r, "You asked for DELETE /elsewhere")


@check(points=1, hints=[
    ("Production servers import your app by name, like `flask --app`: Linkly must be built by "
     "a factory called create_app() in linkly/__init__.py."),
    ("Keep create_app() (no module-level app needed); the check runs "
     "`gunicorn \"linkly:create_app()\"` with two worker processes."),
])
def test_factory(start_app):
    """Gunicorn serves Linkly through its create_app() factory."""
    app = start_app(target="linkly:create_app", server="gunicorn", workers=2)
    client = app.client()
    expect_status(client.get("/health"), 200)
    r = client.get("/")
    expect_status(r, 200)
    expect_in_body(r, "Linkly")
