"""Chapter 10 checks: Linkly graded under gunicorn with several workers, plus its deployment files.

The live checks talk to the app the grader runs under gunicorn (3 worker processes). The
static checks parse each deployment file with a real parser: no Docker engine, cloud account,
systemd or nginx is needed.
"""

import ast
import configparser
import json
import re
import shlex
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from grader.checking import (
    CheckFailed,
    check,
    expect_header,
    expect_status,
    fail,
    json_body,
    pretty_json,
)
from grader.client import AppUnreachable, RecordingClient, RequestHung
from grader.liveapp import StartupError

CODES = ["flask", "werkzeug", "jinja", "python"]
CLOSE = {"Connection": "close"}  # a fresh connection per request can reach any worker
SPREAD = 60  # requests spread over the workers by the state checks
REQUESTS_METRIC = "linkly_http_requests_total"
LATENCY_METRIC = "linkly_http_request_duration_seconds"
CLICKS_METRIC = "linkly_clicks_total"


# -- helpers ------------------------------------------------------------------------------
def spread(base_url: str, paths: list[str], cookies=None) -> Counter:
    """GET each path over its own connection from 8 threads; count the answers."""
    outcomes: Counter = Counter()

    def one(path: str) -> None:
        with RecordingClient(base_url, []) as session:
            if cookies is not None:
                session.cookies.update(cookies)
            try:
                r = session.get(path, headers=CLOSE, allow_redirects=False)
                outcomes[r.status_code] += 1
            except (RequestHung, AppUnreachable) as exc:
                outcomes[str(exc)] += 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, paths))
    return outcomes


def expect_only(outcomes: Counter, status: int, what: str) -> None:
    if set(outcomes) != {status}:
        got = ", ".join(f"{n} × {k}" for k, n in outcomes.most_common())
        fail(f"not every {what} answered {status}", expected=f"{sum(outcomes.values())} × "
             f"{status}", actual=got)


def json_object(r, example: str) -> dict:
    """Return the response's JSON object, or fail saying what came back instead."""
    data = json_body(r)
    if not isinstance(data, dict):
        fail(f"{r.request.method} {r.request.path_url} should answer a JSON object",
             expected=example, actual=pretty_json(data))
    return data


def scrape(client) -> dict:
    """GET /metrics, parse it with prometheus_client's parser; return sample totals by name.

    Beside each sample name's total, "NAME:labels" holds its label names and
    "NAME:endpoint" the values its endpoint label took.
    """
    from prometheus_client.parser import text_string_to_metric_families

    r = client.get("/metrics", headers=CLOSE)
    expect_status(r, 200, why="Prometheus scrapes GET /metrics")
    expect_header(r, "Content-Type", contains="text/plain")
    totals: dict = {}
    try:
        for family in text_string_to_metric_families(r.text):
            for sample in family.samples:
                totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
                totals.setdefault(f"{sample.name}:labels", set()).update(sample.labels)
                if "endpoint" in sample.labels:
                    totals.setdefault(f"{sample.name}:endpoint", set()).add(
                        sample.labels["endpoint"])
    except Exception as exc:  # noqa: BLE001 - the parser's own words are the best hint
        fail("GET /metrics does not parse as Prometheus text format",
             expected="lines like: linkly_clicks_total 3.0", actual=f"{type(exc).__name__}: {exc}")
    return totals


def with_cookies(session, **headers) -> dict:
    """Headers carrying all of ``session``'s cookies, Secure ones too.

    requests withholds a Secure cookie from plain http URLs, but SESSION_COOKIE_SECURE=True
    is right in production; on loopback the grader stands in for the HTTPS proxy.
    """
    jar = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return {**headers, **({"Cookie": jar} if jar else {})}


def read_file(app_dir, name: str) -> str:
    path = app_dir / name
    if not path.is_file():
        fail(f"there is no {name} in your app folder", expected=f"a file {name}",
             actual="(missing)")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{name} is not UTF-8 text")


# -- live: health, proxy ------------------------------------------------------------------
@check(points=1, hints=[
    "A health endpoint lets a load balancer, systemd or Docker ask \"are you up?\".",
    "GET /health answers 200 with JSON {\"status\": \"ok\", ...} after touching the database.",
])
def test_health(client):
    """GET /health answers 200 with {"status": "ok"} from every worker."""
    r = client.get("/health")
    expect_status(r, 200)
    data = json_body(r)
    if not isinstance(data, dict) or data.get("status") != "ok":
        fail("GET /health answered the wrong JSON", expected='{"status": "ok", ...}',
             actual=pretty_json(data))


@check(points=2, hints=[
    ("Behind a proxy the app sees the proxy's address and plain http; the proxy passes the "
    "original scheme and host in X-Forwarded-* headers, and ProxyFix applies them."),
    ("Wrap app.wsgi_app in werkzeug's ProxyFix and tell it how many proxies to trust for the "
    "client address, the scheme and the host: there is one proxy, so one of each."),
])
def test_proxy_fix(client):
    """Behind one proxy, short_url uses the forwarded scheme and host, trusting one hop only."""
    r = client.get("/api/links/flask", headers={"X-Forwarded-Proto": "https",
                                                "X-Forwarded-Host": "lnk.example"})
    expect_status(r, 200)
    got = json_object(r, '{"code": "flask", "short_url": "..."}').get("short_url")
    if got != "https://lnk.example/flask":
        fail("with X-Forwarded-Proto: https and X-Forwarded-Host: lnk.example, the link's "
             "short_url should be built from them",
             expected='"short_url": "https://lnk.example/flask"', actual=f'"short_url": {got!r}')
    r = client.get("/api/links/flask", headers={"X-Forwarded-Proto": "https",
                                                "X-Forwarded-Host": "evil.example, lnk.example"})
    expect_status(r, 200)
    got = json_object(r, '{"short_url": "..."}').get("short_url")
    if got != "https://lnk.example/flask":
        fail("a client can put its own X-Forwarded-Host before the proxy's; behind one proxy "
             "only the last value is trustworthy",
             expected='"short_url": "https://lnk.example/flask"', actual=f'"short_url": {got!r}')


# -- live: state across workers -----------------------------------------------------------
@check(points=2, hints=[
    ("Each gunicorn worker is a separate process: a click counted in one worker's memory is "
    "invisible to the others."),
    "Count clicks in the database with one atomic UPDATE, as in chapter 9.",
])
def test_clicks_across_workers(client, base_url):
    """Clicks spread over the 3 workers are all counted, whichever worker is asked."""
    def clicks() -> int:
        r = client.get("/api/links/werkzeug", headers=CLOSE)
        expect_status(r, 200)
        value = json_object(r, '{"code": "werkzeug", "clicks": 0}').get("clicks")
        if type(value) is not int:
            fail("GET /api/links/werkzeug should report an integer \"clicks\"",
                 expected='"clicks": 0', actual=r.text[:200])
        return value

    before = clicks()
    expect_only(spread(base_url, ["/werkzeug"] * SPREAD), 302, "GET /werkzeug")
    seen = [clicks() for _ in range(5)]
    if any(n != before + SPREAD for n in seen):
        fail(f"after {SPREAD} clicks over fresh connections the workers disagree on the count",
             expected=f"clicks {before + SPREAD} every time", actual=f"clicks {seen}")


@check(points=2, hints=[
    ("A Flask session is a cookie signed with SECRET_KEY: every worker can read it if they "
    "all share the same key."),
    ("Read the key from the environment (FLASK_SECRET_KEY with app.config.from_prefixed_env()),"
    " never from os.urandom() at startup."),
])
def test_sessions_across_workers(client, base_url):
    """The session (recent links) carries over whichever worker serves each request."""
    # Session.get follows redirects unless told not to: the targets are off this machine.
    client.get("/flask", headers=with_cookies(client, **CLOSE), allow_redirects=False)
    recent = []
    for code in ["python", "jinja", "werkzeug"]:
        r = client.get(f"/{code}", headers=with_cookies(client, **CLOSE), allow_redirects=False)
        expect_status(r, 302, 301, 303, 307, 308)
        recent.insert(0, code)
    recent.append("flask")
    for _ in range(4):
        r = client.get("/api/recent", headers=with_cookies(client, **CLOSE))
        expect_status(r, 200)
        got = json_object(r, '{"recent": ["werkzeug", ...]}').get("recent")
        if got != recent:
            fail("the recent links kept in the session were lost between workers",
                 expected=f'"recent": {recent}', actual=f'"recent": {got}')


@check(points=1, hints=[
    ("A restart (or a second server behind the load balancer) must accept cookies signed "
    "before it: that needs the same SECRET_KEY every time."),
    "Take SECRET_KEY from FLASK_SECRET_KEY; a key made at startup changes on every restart.",
])
def test_sessions_survive_restart(client, start_app):
    """A restarted app with the same FLASK_SECRET_KEY still reads earlier session cookies."""
    r = client.get("/python", allow_redirects=False)
    expect_status(r, 302, 301, 303, 307, 308)
    restarted = start_app(server="werkzeug")
    r = restarted.client().get("/api/recent", headers=with_cookies(client))
    expect_status(r, 200)
    got = json_object(r, '{"recent": ["python", ...]}').get("recent")
    if not isinstance(got, list) or not got or got[0] != "python":
        fail("after a restart with the same FLASK_SECRET_KEY, the session cookie was not "
             "accepted any more", expected='"recent": ["python", ...]', actual=f'"recent": {got}')


@check(points=1, hints=[
    "Production must never run on a default secret key: refuse to start instead.",
    ("After all configuration is loaded, check that SECRET_KEY is set and raise an exception "
    "whose message names the variable to set (FLASK_SECRET_KEY) when it is not."),
])
def test_refuses_without_secret(start_app):
    """Without FLASK_SECRET_KEY in the environment the app refuses to start."""
    try:
        app = start_app(server="werkzeug", env={"FLASK_SECRET_KEY": None})
    except StartupError:
        return
    r = app.client().get("/health")
    fail("the app started without FLASK_SECRET_KEY: it must be using a built-in key",
         expected="create_app() raises an error", actual=f"GET /health answered {r.status_code}")


# -- live: metrics --------------------------------------------------------------------------
@check(points=2, hints=[
    ("prometheus_client's Counter and Histogram, updated in before/after_request hooks, and "
    "generate_latest() at GET /metrics."),
    (f"Names: {REQUESTS_METRIC} (labels method, endpoint, status), {LATENCY_METRIC} "
    f"(histogram), {CLICKS_METRIC}."),
])
def test_metrics_exposed(client):
    """GET /metrics parses and has the request counter, latency histogram and clicks."""
    client.get("/health")
    # Two URLs nobody asked for before: a label that records raw paths would grow with them.
    client.get("/zz-unseen-1")
    client.get("/api/zz-unseen-2/nothing")
    totals = scrape(client)
    missing = [name for name in (REQUESTS_METRIC, f"{LATENCY_METRIC}_bucket",
                                 f"{LATENCY_METRIC}_count", f"{LATENCY_METRIC}_sum",
                                 CLICKS_METRIC) if name not in totals]
    if missing:
        fail("GET /metrics lacks some of the metrics the dashboard needs",
             expected=", ".join(missing), actual=", ".join(
                 sorted(n for n in totals if not n.endswith(":labels")))[:400] or "(none)")
    labels = totals[f"{REQUESTS_METRIC}:labels"]
    if not {"method", "endpoint", "status"} <= labels:
        fail(f"{REQUESTS_METRIC} should be labelled by method, endpoint and status",
             expected="labels method, endpoint, status", actual=f"labels {sorted(labels)}")
    raw = sorted(v for v in totals.get(f"{REQUESTS_METRIC}:endpoint", ()) if "zz-unseen" in v)
    if raw:
        fail("the endpoint label records raw paths: every new URL (every short code, every "
             "scanner's guess) becomes a new time series until Prometheus runs out of memory",
             expected="endpoint names such as links.follow, or one value for unmatched URLs",
             actual="endpoint=" + ", endpoint=".join(raw))


@check(points=2, hints=[
    ("Every gunicorn worker counts its own requests; a scrape reaches one worker. "
    "prometheus_client's multiprocess mode adds them all up."),
    ("When PROMETHEUS_MULTIPROC_DIR is set, build the /metrics answer from a fresh "
    "CollectorRegistry with multiprocess.MultiProcessCollector(registry)."),
])
def test_metrics_across_workers(client, base_url):
    """Clicks served by any of the 3 workers all show in every scrape of /metrics."""
    before = scrape(client).get(CLICKS_METRIC, 0.0)
    expect_only(spread(base_url, ["/jinja"] * SPREAD), 302, "GET /jinja")
    seen = [scrape(client).get(CLICKS_METRIC, 0.0) for _ in range(4)]
    if any(n != before + SPREAD for n in seen):
        fail(f"after {SPREAD} clicks spread over the workers, scrapes of /metrics disagree: "
             "each one shows only the worker that answered it",
             expected=f"{CLICKS_METRIC} {before + SPREAD:g} every time",
             actual=f"{CLICKS_METRIC} " + ", ".join(f"{n:g}" for n in seen))


# -- static: deployment files -----------------------------------------------------------------
@check(points=2, hints=[
    ("gunicorn.conf.py is plain Python: module-level names are gunicorn settings, functions "
    "with hook names (child_exit...) are called by gunicorn."),
    ("Set bind, workers and timeout, and define child_exit(server, worker) calling "
    "prometheus_client.multiprocess.mark_process_dead(worker.pid)."),
])
def test_gunicorn_conf(app_dir):
    """gunicorn.conf.py sets bind, workers and timeout and cleans up after dead workers."""
    text = read_file(app_dir, "gunicorn.conf.py")
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        fail(f"gunicorn.conf.py is not valid Python: {exc.msg} (line {exc.lineno})")
    assigned = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    assigned[t.id] = node.value
    missing = [n for n in ("bind", "workers", "timeout") if n not in assigned]
    if missing:
        fail("gunicorn.conf.py leaves some settings at gunicorn's defaults",
             expected="bind = ..., workers = ..., timeout = ...",
             actual=f"no {', '.join(missing)}")
    workers = assigned["workers"]
    if isinstance(workers, ast.Constant) and (not isinstance(workers.value, int)
                                              or workers.value < 2):
        fail("one worker cannot use more than one core nor survive a crashed worker",
             expected="workers = 2 or more", actual=f"workers = {workers.value!r}")
    hooks = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    exit_hook = hooks.get("child_exit")
    calls = [n for n in ast.walk(exit_hook) if isinstance(n, ast.Call)] if exit_hook else []
    if not any(getattr(c.func, "attr", getattr(c.func, "id", "")) == "mark_process_dead"
               for c in calls):
        fail("gunicorn.conf.py has no child_exit hook that marks dead workers for "
             "prometheus_client", expected="def child_exit(server, worker): "
             "multiprocess.mark_process_dead(worker.pid)", actual="(none)")


def _requirement_names(text: str) -> set[str]:
    from packaging.requirements import InvalidRequirement, Requirement

    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            names.add(re.sub(r"[-_.]+", "-", Requirement(line).name).lower())
        except InvalidRequirement:
            fail(f"requirements.txt has a line pip cannot read: {line!r}")
    return names


@check(points=2, hints=[
    ("A good Dockerfile: a pinned python base image, requirements installed before the code "
    "is copied, a non-root USER, and gunicorn started in exec form."),
    ('COPY requirements.txt . then RUN pip install -r requirements.txt; USER linkly; '
    'CMD ["gunicorn", "--config", "gunicorn.conf.py", "linkly:create_app()"].'),
])
def test_dockerfile(app_dir):
    """The Dockerfile builds a non-root gunicorn image from requirements.txt, without secrets."""
    from dockerfile_parse import DockerfileParser

    read_file(app_dir, "Dockerfile")
    needed = {"flask", "gunicorn", "prometheus-client"}
    missing = needed - _requirement_names(read_file(app_dir, "requirements.txt"))
    if missing:
        fail("requirements.txt must list what the image needs to run the app",
             expected=", ".join(sorted(needed)), actual=f"missing {', '.join(sorted(missing))}")
    parser = DockerfileParser(path=str(app_dir / "Dockerfile"))
    steps = [(i["instruction"], i["value"]) for i in parser.structure
             if i["instruction"] != "COMMENT"]
    # Every stage's image (a multi-stage build names its own stages too): one is Python's.
    bases = [b for b in parser.parent_images if b]
    official = [b for b in bases if re.search(r"(^|/)python[:@]", b)]
    if not official or all(b.endswith(":latest") for b in official):
        fail("start FROM an official python image with a pinned version tag",
             expected="FROM python:3.11-slim", actual=f"FROM {', '.join(bases) or '(none)'}")
    install = next((k for k, (op, v) in enumerate(steps)
                    if op == "RUN" and "pip install" in v and "requirements.txt" in v), None)
    copy_req = next((k for k, (op, v) in enumerate(steps)
                     if op in ("COPY", "ADD") and any(
                         t.rstrip("/").rsplit("/", 1)[-1] == "requirements.txt"
                         for t in v.split())), None)
    if install is None or copy_req is None or copy_req > install:
        fail("copy requirements.txt on its own and pip install it before copying the code, "
             "so the dependency layer is reused while only code changes",
             expected="COPY requirements.txt .  then  RUN pip install -r requirements.txt",
             actual="\n".join(f"{op} {v}" for op, v in steps)[:500])
    users = [v.strip() for op, v in steps if op == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        fail("the container runs as root: add a user and switch to it with USER",
             expected="USER linkly", actual=f"USER {users[-1]}" if users else "(no USER)")
    # The container runs ENTRYPOINT + CMD; both count, and both must be in exec form.
    argv = []
    for op in ("ENTRYPOINT", "CMD"):
        given = [v for o, v in steps if o == op]
        if not given:
            continue
        try:
            part = json.loads(given[-1])
        except ValueError:
            part = None
        if not isinstance(part, list) or not all(isinstance(a, str) for a in part):
            fail(f"write {op} in exec form (a JSON list), so gunicorn is PID 1 and gets "
                 "docker stop's SIGTERM (a shell in between would swallow it)",
                 expected=f'{op} ["gunicorn", ...]', actual=f"{op} {given[-1]}")
        argv += part
    if not argv:
        fail("the image does not say how to start the app", expected='CMD ["gunicorn", ...]',
             actual="(no CMD)")
    if not any("gunicorn" in a for a in argv) or any(a in ("flask", "run") for a in argv[:2]):
        fail("the image should serve the app with gunicorn, not the development server",
             expected='CMD ["gunicorn", ...]', actual="runs " + json.dumps(argv))
    env = parser.envs
    if "FLASK_SECRET_KEY" in env or "SECRET_KEY" in env:
        fail("a secret baked into the image is readable by anyone who pulls it: pass it at "
             "run time (docker run -e FLASK_SECRET_KEY=...)", expected="no ENV FLASK_SECRET_KEY",
             actual="ENV FLASK_SECRET_KEY=...")
    if str(env.get("FLASK_DEBUG", "")).lower() in ("1", "true") or "--debug" in argv:
        fail("the image turns debug mode on", expected="no FLASK_DEBUG=1",
             actual="debug mode on")


@check(points=1, hints=[
    "Heroku and Elastic Beanstalk read a Procfile: one line per process type, \"name: command\".",
    ("The web line runs gunicorn with your gunicorn.conf.py on the app factory; quote the "
     "factory call, since the platform runs the line with bash."),
])
def test_procfile(app_dir):
    """The Procfile's web process runs the app factory under gunicorn."""
    text = read_file(app_dir, "Procfile")
    procs = dict(m.groups() for m in re.finditer(r"^([A-Za-z0-9_-]+):\s*(.+?)\s*$", text,
                                                 re.MULTILINE))
    web = procs.get("web")
    if web is None:
        fail("the Procfile has no web process", expected="web: gunicorn ...",
             actual=text.strip()[:200] or "(empty)")
    try:
        argv = shlex.split(web)
    except ValueError as exc:
        fail(f"the web command does not parse like a shell line: {exc}",
             expected="web: gunicorn ... on the linkly app factory",
             actual=f"web: {web}")
    if not argv or argv[0] != "gunicorn" or not any(a.startswith("linkly") for a in argv):
        fail("the web process should start gunicorn on the linkly app factory",
             expected="web: gunicorn ... on the linkly app factory",
             actual=f"web: {web}")
    # The platform runs the line with bash, which reads unquoted ( ) as its own syntax.
    lexer = shlex.shlex(web, posix=True, punctuation_chars=True)
    if any(token and set(token) <= set("();&|<>") for token in lexer):
        fail("bash runs this line and reads the unquoted parentheses (or ; & | < >) itself: "
             "quote the app target", expected='web: gunicorn ... "linkly:create_app()"',
             actual=f"web: {web}")


def _gunicorn_bind(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg in ("--bind", "-b") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--bind="):
            return arg.split("=", 1)[1]
    return None


def _unit(app_dir) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None,
                                     comment_prefixes=("#", ";"), empty_lines_in_values=False)
    unit.optionxform = str  # systemd keys are case-sensitive
    try:
        unit.read_string(read_file(app_dir, "deploy/linkly.service"))
    except configparser.Error as exc:
        fail(f"deploy/linkly.service does not parse as a unit file: {exc.message}")
    return unit


@check(points=1, hints=[
    ("A systemd unit starts gunicorn at boot, restarts it when it dies and runs it as an "
    "unprivileged user."),
    ("[Service] needs User=, ExecStart= with the absolute path of gunicorn, Restart=on-failure "
    "and EnvironmentFile= for the secret; [Install] needs WantedBy=multi-user.target."),
])
def test_systemd_unit(app_dir):
    """deploy/linkly.service runs gunicorn as a non-root user, restarts it, keeps secrets out."""
    unit = _unit(app_dir)
    if not unit.has_section("Service"):
        fail("the unit has no [Service] section", expected="[Service]",
             actual=", ".join(f"[{s}]" for s in unit.sections()) or "(no sections)")
    svc = unit["Service"]
    try:
        argv = shlex.split(svc.get("ExecStart", "").lstrip("-@:+!"))
    except ValueError:
        argv = []
    # /srv/linkly/.venv/bin/gunicorn ..., or /srv/linkly/.venv/bin/python -m gunicorn ...
    if not argv or not argv[0].startswith("/") or not any("gunicorn" in a for a in argv[:3]):
        fail("ExecStart must name gunicorn by its absolute path (systemd has no PATH search "
             "in your venv)", expected="ExecStart=/srv/linkly/.venv/bin/gunicorn ...",
             actual=f"ExecStart={svc.get('ExecStart', '')}")
    if svc.get("User", "root") in ("root", "0") and svc.get("DynamicUser") not in ("yes", "true"):
        fail("the service runs as root", expected="User=linkly",
             actual=f"User={svc.get('User', '(not set: root)')}")
    if svc.get("Restart", "no") == "no":
        fail("systemd will not restart the app if it dies", expected="Restart=on-failure",
             actual=f"Restart={svc.get('Restart', '(not set: no)')}")
    # Read every Environment= line: the parser keeps only the last of repeated keys.
    inline = [line for line in read_file(app_dir, "deploy/linkly.service").splitlines()
              if line.strip().startswith("Environment=")]
    if any("SECRET_KEY" in line for line in inline):
        fail("the secret key is written into the unit, readable by every user", expected=
             "EnvironmentFile=/etc/linkly/linkly.env", actual="Environment=...SECRET_KEY...")
    if not unit.has_section("Install") or not unit["Install"].get("WantedBy"):
        fail("without [Install] WantedBy=, `systemctl enable` cannot start it at boot",
             expected="[Install]\nWantedBy=multi-user.target", actual="(missing)")


def _unit_bind(app_dir) -> str | None:
    """The --bind address in the systemd unit's ExecStart, if the unit gives one."""
    try:
        unit = _unit(app_dir)
        argv = shlex.split(unit["Service"].get("ExecStart", ""))
    except (CheckFailed, KeyError, ValueError):
        return None  # test_systemd_unit reports what is wrong with the unit
    bind = _gunicorn_bind(argv)
    return bind.replace("localhost", "127.0.0.1") if bind else None


def _directives(block, name):
    for d in block:
        if d["directive"] == name:
            yield d
        yield from _directives(d.get("block", []), name)


@check(points=1, hints=[
    ("nginx faces the internet and forwards requests to gunicorn on loopback, telling it the "
    "original host, scheme and client address."),
    ("In the location block, proxy_pass to the address gunicorn binds, and set the Host and the "
    "X-Forwarded-For, -Proto and -Host headers from nginx's own variables."),
])
def test_nginx_site(app_dir):
    """deploy/nginx.conf proxies to where gunicorn listens and sets the X-Forwarded-* headers."""
    import crossplane

    read_file(app_dir, "deploy/nginx.conf")
    parsed = crossplane.parse(str(app_dir / "deploy/nginx.conf"), check_ctx=False, single=True,
                              comments=False)
    if parsed["errors"]:
        fail("deploy/nginx.conf does not parse", expected="a file `nginx -t` accepts",
             actual=parsed["errors"][0]["error"].replace(str(app_dir) + "/", ""))
    config = parsed["config"][0]["parsed"]
    servers = list(_directives(config, "server"))
    found = [(srv, loc) for srv in servers for loc in _directives(srv.get("block", []), "location")
             if loc["args"][-1:] == ["/"]]
    if not found:
        fail("no `location /` block inside a `server` forwards requests to the app",
             expected="server { ... location / {...} }", actual="(none)")
    server, root = found[0]
    block = root.get("block", [])
    passes = [d["args"][0] for d in _directives(block, "proxy_pass") if d["args"]]
    if not passes:
        fail("`location /` has no proxy_pass", expected="proxy_pass http://127.0.0.1:8000;",
             actual="(none)")
    def set_headers(directives):
        return {d["args"][0].lower() for d in directives
                if d["directive"] == "proxy_set_header" and d["args"]}

    # nginx's rule: a location inherits the server's proxy_set_header lines only if it has none.
    headers = set_headers(block) or set_headers(server.get("block", []))
    needed = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}
    if not needed <= headers:
        fail("nginx must set the headers ProxyFix trusts, or a client could set them itself",
             expected=", ".join(sorted(needed)), actual=", ".join(sorted(headers)) or "(none)")
    # Where does nginx send requests? An upstream's servers, or the proxy_pass address.
    target = re.sub(r"^https?://", "", passes[0]).rstrip("/")
    upstreams = {u["args"][0]: [s["args"][0] for s in u.get("block", [])
                                if s["directive"] == "server"]
                 for u in _directives(config, "upstream")}
    addresses = [a.replace("localhost", "127.0.0.1") for a in upstreams.get(target, [target])]
    bind = _unit_bind(app_dir)
    if bind and not any(a == bind or f"unix:{a}" == bind or a == f"unix:{bind}"
                        for a in addresses):
        fail("nginx forwards to a different address than gunicorn listens on (its --bind in "
             "deploy/linkly.service)", expected=bind, actual=", ".join(addresses))


@check(points=1, hints=[
    ("A Grafana dashboard is JSON: panels, each with Prometheus queries (targets[].expr) over "
    "the metrics your app exports."),
    ("One panel for the request rate (rate() over your request counter) and one for a latency "
    "percentile (histogram_quantile() over your histogram's _bucket series)."),
])
def test_grafana_dashboard(app_dir, client):
    """monitoring/grafana-dashboard.json charts request rate and latency from real metrics."""
    text = read_file(app_dir, "monitoring/grafana-dashboard.json")
    try:
        board = json.loads(text)
    except ValueError as exc:
        fail(f"the dashboard is not valid JSON: {exc}")
    panels, exprs = [], []
    for key in ("panels", "rows"):  # "rows" holds the panels of dashboards from before 5.0
        found = board.get(key) if isinstance(board, dict) else None
        panels += found if isinstance(found, list) else []
    while panels:
        panel = panels.pop()
        if isinstance(panel, dict):
            inner = panel.get("panels", [])  # panels folded inside a row
            panels.extend(inner if isinstance(inner, list) else [])
            targets = panel.get("targets", [])
            exprs += [t.get("expr", "") for t in targets if isinstance(t, dict)] \
                if isinstance(targets, list) else []
    joined = "\n".join(e for e in exprs if isinstance(e, str))
    if not re.search(rf"rate\(\s*{REQUESTS_METRIC}\b", joined):
        fail("no panel charts the request rate", expected=f"rate({REQUESTS_METRIC}[5m])",
             actual=joined[:300] or "(no queries)")
    if not re.search(rf"histogram_quantile\(.*{LATENCY_METRIC}_bucket", joined):
        fail("no panel charts latency percentiles from the histogram",
             expected=f"histogram_quantile(0.95, sum by (le) (rate({LATENCY_METRIC}_bucket[5m])))",
             actual=joined[:300] or "(no queries)")
    exported = scrape(client)
    unknown = sorted({m for m in re.findall(r"\b(linkly_[a-z0-9_]+)", joined)
                      if m not in exported})
    if unknown:
        fail("the dashboard queries metrics your app does not export (an empty chart)",
             expected="only metric names found at /metrics", actual=", ".join(unknown))
