"""Chapter 5 checks: configuration layers, secrets, and debug mode, observed over HTTP.

The chapter's env (course.toml) gives every copy FLASK_SECRET_KEY. The checks about layers start
their own copies, each with an instance/config.py of the check's choosing (empty where the check
wants none) and FLASK_* variables of their own.
"""

import secrets

from grader.checking import check, expect_status, fail, html, json_body, pretty_json
from grader.liveapp import StartupError

INSTANCE_FILE = (
    'SITE_NAME = "Staging Links"\n'
    'BASE_URL = "https://file.example"\n'
    "MAX_URL_LENGTH = 40\n"
)


def _start(start_app, config: str = "", env=None):
    """Start a copy of the app whose instance/config.py holds ``config``.

    Writing the file even when it is empty replaces any config.py the student keeps in their
    own instance folder for trying things by hand, so it cannot change the grade.
    """
    return start_app(instance_files={"config.py": config}, env=env)


def _url(length: int) -> str:
    """Return an https URL exactly ``length`` characters long."""
    head = "https://example.com/"
    return head + "a" * (length - len(head))


def _shorten(client, url: str):
    return client.post("/links", json={"url": url})


def _expect_short_url(client, base: str, where: str) -> None:
    r = _shorten(client, _url(30))
    expect_status(r, 201, why="POST /links with a valid URL creates a short link")
    data = json_body(r)
    short = data.get("short_url") if isinstance(data, dict) else None
    if not isinstance(short, str) or not short.startswith(base.rstrip("/") + "/"):
        fail(f"the short link does not start with BASE_URL {where}",
             expected=f'"short_url": "{base}/<code>"', actual=f'"short_url": {short!r}')


def _expect_limit(client, limit: int, where: str) -> None:
    r = _shorten(client, _url(limit))
    expect_status(r, 201, why=f"a URL of exactly MAX_URL_LENGTH ({limit}) characters is "
                              f"allowed {where}")
    r = _shorten(client, _url(limit + 1))
    expect_status(r, 400, 413, 422, why=f"a URL of {limit + 1} characters is over "
                                         f"MAX_URL_LENGTH ({limit}) {where}")


def _expect_site_name(client, name: str, where: str) -> None:
    r = client.get("/")
    expect_status(r, 200)
    h1 = html(r).find("h1")
    got = h1.get_text(" ", strip=True) if h1 else None
    if got != name:
        fail(f"the home page's <h1> is not SITE_NAME {where}",
             expected=f"<h1>{name}</h1>", actual=f"<h1>{got}</h1>" if got else "(no <h1>)")


@check(points=1, hints=[
    "Defaults live in code (a settings module or a mapping) and are loaded first.",
    ("Keep SITE_NAME = 'Linkly', BASE_URL = 'http://localhost:5000', MAX_URL_LENGTH = 2048 "
    "as the defaults; the short link is BASE_URL + '/' + code."),
])
def test_defaults(start_app):
    """With no instance file and no FLASK_* settings, the defaults apply."""
    client = _start(start_app).client()
    _expect_site_name(client, "Linkly", "(the default)")
    _expect_short_url(client, "http://localhost:5000", "(the default)")
    _expect_limit(client, 2048, "(the default)")


@check(points=2, hints=[
    ("With instance_relative_config=True, app.config.from_pyfile('config.py', silent=True) "
    "reads instance/config.py — after the defaults, so the file wins."),
    ("Load the file only when create_app() was not given a test_config, and make it optional "
    "(silent=True): a fresh checkout has no instance folder."),
])
def test_instance_file_overrides_defaults(start_app):
    """Settings in instance/config.py override the defaults."""
    app = _start(start_app, INSTANCE_FILE)
    client = app.client()
    where = "(instance/config.py sets it)"
    _expect_site_name(client, "Staging Links", where)
    _expect_short_url(client, "https://file.example", where)
    _expect_limit(client, 40, where)


@check(points=2, hints=[
    ("The environment is loaded last so that it overrides the instance file; "
    "app.config.from_prefixed_env() reads every FLASK_* variable."),
    ("from_prefixed_env() parses values as JSON, so FLASK_MAX_URL_LENGTH=30 arrives as the "
    "number 30; reading os.environ yourself gives the string '30'."),
])
def test_environment_overrides_instance_file(start_app):
    """FLASK_* variables override instance/config.py, which still supplies the rest."""
    app = _start(start_app, INSTANCE_FILE,
                 env={"FLASK_BASE_URL": "https://env.example", "FLASK_MAX_URL_LENGTH": "30"})
    client = app.client()
    _expect_short_url(client, "https://env.example",
                      "(FLASK_BASE_URL=https://env.example overrides the file)")
    _expect_limit(client, 30, "(FLASK_MAX_URL_LENGTH=30 overrides the file's 40)")
    _expect_site_name(client, "Staging Links",
                      "(only instance/config.py sets SITE_NAME, so the file must still load)")


@check(points=2, hints=[
    ("A production app with no SECRET_KEY would sign sessions with nothing (or a key everyone "
    "knows): check for it in create_app() and raise."),
    ("After loading all the config sources, raise an error whose message names SECRET_KEY and "
    "says where to set it (FLASK_SECRET_KEY or instance/config.py). No default secret in code."),
])
def test_missing_secret_fails_fast(start_app):
    """Without a SECRET_KEY the app refuses to start, and says why."""
    try:
        app = _start(start_app, env={"FLASK_SECRET_KEY": None})
    except StartupError as err:
        said = f'{err.message} {err.detail} {err.output}'
        if "SECRET_KEY" not in said:
            fail("the app did not start without a secret, but its error does not say why",
                 expected="an error message naming SECRET_KEY", actual=err.message[:300])
        return
    r = app.client().get("/health")
    fail("the app started and served requests with no SECRET_KEY set",
         expected="create_app() raises an error naming SECRET_KEY",
         actual=f"GET /health answered {r.status_code}")


def _expect_no_debugger(client) -> None:
    probe = "/flasklings-probe?__debugger__=yes&cmd=resource&f=debugger.js"
    r = client.get(probe)
    if r.status_code == 200 and "javascript" in r.headers.get("Content-Type", ""):
        fail("the Werkzeug debugger is wrapped around the app: it served its own script",
             expected="404 for an unknown URL", actual=f"200 {r.headers['Content-Type']}")
    bad_json = client.post("/links", data="{not json",
                           headers={"Content-Type": "application/json"})
    for resp in (r, bad_json):
        for marker in ("Traceback (most recent call last)", "Werkzeug Debugger", "__debugger__"):
            if marker in resp.text:
                fail("an error page shows debugging details", expected="a plain error page",
                     actual=f"{resp.status_code} with a body containing {marker!r}")


@check(points=2, hints=[
    ("Debug mode must come only from the environment (flask run --debug sets FLASK_DEBUG=1), "
    "never from a default or a hard-coded app.debug = True."),
    ("Register the /debug blueprint inside `if app.debug:`, and never wrap the app in "
    "werkzeug's DebuggedApplication yourself."),
])
def test_no_debugging_in_production(client):
    """In production (no FLASK_DEBUG) no debug page, debugger or traceback is served."""
    r = client.get("/debug/config")
    if r.status_code != 404:
        fail("GET /debug/config is reachable in production: the development helpers are on",
             expected="404 Not Found", actual=f"{r.status_code} {r.reason}")
    _expect_no_debugger(client)


@check(points=2, hints=[
    ("With FLASK_DEBUG=1 in the environment, app.debug is True before create_app() even loads "
    "your config; use it to decide what to register."),
    ("GET /debug/config answers JSON of app.config; any setting whose name holds SECRET, KEY, "
    "TOKEN or PASSWORD shows a mask instead of its value."),
])
def test_debug_tools_in_development(start_app):
    """With FLASK_DEBUG=1, GET /debug/config shows the settings with secrets masked."""
    secret = "ch5-" + secrets.token_hex(12)
    app = _start(start_app, env={"FLASK_DEBUG": "1", "FLASK_SECRET_KEY": secret})
    r = app.client().get("/debug/config")
    expect_status(r, 200, why="in development (FLASK_DEBUG=1) /debug/config is available")
    data = json_body(r)
    if not isinstance(data, dict) or not data.get("DEBUG"):
        fail("/debug/config does not show DEBUG switched on",
             expected='"DEBUG": true (or 1)', actual=pretty_json(data))
    if data.get("BASE_URL") != "http://localhost:5000":
        fail("/debug/config does not show the BASE_URL setting",
             expected='"BASE_URL": "http://localhost:5000"',
             actual=f'"BASE_URL": {data.get("BASE_URL")!r}')
    if secret in r.text:
        fail("/debug/config shows the SECRET_KEY in clear",
             expected="the secret masked", actual=f'"SECRET_KEY": "{secret}"')
