"""Chapter 8 checks: error pages, request ids and logs of the live app; the student's own tests
run against their app and against known-broken copies of the reference app; ruff's advice."""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.checking import check, expect_header, expect_status, fail, json_body

CRASH = "/debug/crash"
SECRET = "hunter2"  # what the planted crash's message holds; it must never reach a client
LEAKS = ("Traceback (most recent call last)", 'File "', "RuntimeError", SECRET)
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _expect_json_error(r, status, why):
    expect_status(r, status, why=why)
    data = json_body(r)
    if not isinstance(data, dict) or not isinstance(data.get("error"), str) or not data["error"]:
        fail(f"the JSON error for {r.request.method} {r.request.path_url} has no message",
             expected='{"error": "a message a person can read", ...}', actual=json.dumps(data))
    return data


@check(points=2, hints=[
    "Errors from the API must be JSON too: a client that parses JSON cannot read an HTML page.",
    ("Register error handlers (app.register_error_handler) for your own exceptions and for "
     "werkzeug's HTTPException; answer {'error': message} with the status when the path starts "
     "with /api/."),
])
def test_api_errors_are_json(client):
    """API errors (404, 405, bad JSON, invalid link) answer JSON with a message."""
    _expect_json_error(client.get("/api/links/987654"), 404, "there is no link 987654")
    _expect_json_error(client.get("/api/no-such-thing"), 404, "no such API route")
    _expect_json_error(client.put("/api/links"), 405, "PUT is not allowed on /api/links")
    _expect_json_error(client.post("/api/links", data="{not json",
                                   headers={"Content-Type": "application/json"}), 400,
                       "the body is not JSON")
    _expect_json_error(client.post("/api/links", json={"url": "javascript:alert(1)"}), 400,
                       "a javascript: URL is not a link")
    r = client.post("/api/links", json={"url": "https://example.org/ok", "title": "fine"})
    expect_status(r, 201, why="a valid link is still created")


@check(points=1, hints=[
    ("Some errors carry headers HTTP requires: a 405 must say which methods are allowed "
     "(Allow). Your handler builds a new response; keep them."),
    ("An HTTPException's get_headers() gives its headers; return them with your body and "
     "status (leave out its Content-Type: your body is JSON or your own page)."),
])
def test_405_keeps_allow(client):
    """A 405 answer still says which methods are allowed (the Allow header)."""
    r = client.put("/api/links", headers=JSON)
    expect_status(r, 405, why="PUT is not allowed on /api/links")
    allow = expect_header(r, "Allow")
    if "POST" not in allow.upper():
        fail("the Allow header does not list the methods /api/links accepts",
             expected="Allow: GET, POST, ... (HEAD, OPTIONS)", actual=f"Allow: {allow}")


@check(points=1, hints=[
    "People get HTML error pages in the site's layout, with a way back home.",
    ("An error handler can render a template: return render_template('error.html', ...), 404. "
     "Give the page a link to the home page (href=\"/\")."),
])
def test_html_error_pages(client):
    """A browser asking for a missing page gets an HTML 404 page with a link home."""
    for path in ("/no-such-page", "/links/987654"):
        r = client.get(path, headers=HTML)
        expect_status(r, 404)
        expect_header(r, "Content-Type", contains="text/html")
        if not re.search(r"""href=["']/["']""", r.text):
            fail(f"the 404 page for {path} has no link back to the home page",
                 expected='<a href="/">', actual=r.text[:400])


@check(points=2, hints=[
    ("A crash must answer a plain 500: the traceback and the exception's message are for your "
     "logs, never for the client (they tell an attacker how your code works)."),
    ("Register a handler for Exception that logs with app.logger.exception(...) and returns a "
     "generic message with status 500 — HTML for browsers, JSON for JSON clients."),
])
def test_crash_hides_details(client):
    """A crash answers 500 in the client's format, with no traceback or error message."""
    for headers, kind in ((HTML, "text/html"), (JSON, "application/json")):
        r = client.get(CRASH, headers=headers)
        expect_status(r, 500, why=f"{CRASH} raises an exception on purpose")
        expect_header(r, "Content-Type", contains=kind)
        for leak in LEAKS:
            if leak in r.text:
                fail(f"the 500 answer shows {leak!r} to the client", expected="a generic message",
                     actual=r.text[:400])
    _expect_json_error(r, 500, "a JSON client gets a JSON error")


@check(points=1, hints=[
    "Give every request an id, send it back in an X-Request-ID header, and log it.",
    ("In before_request keep the client's X-Request-ID if it is short and plain "
     "(letters, digits, . _ -), otherwise make one with uuid.uuid4().hex; set the header in "
     "after_request."),
])
def test_request_ids(client):
    """Every response carries an X-Request-ID: unique, the caller's own when it is safe."""
    a = expect_header(client.get("/health"), "X-Request-ID")
    b = expect_header(client.get("/health"), "X-Request-ID")
    if a == b:
        fail("two requests got the same X-Request-ID", expected="a different id per request",
             actual=f"{a} and {b}")
    mine = f"grader-{uuid.uuid4().hex[:12]}"
    expect_header(client.get("/health", headers={"X-Request-ID": mine}), "X-Request-ID",
                  value=mine)
    hostile = "<script>x</script>" + "a" * 100
    got = expect_header(client.get("/health", headers={"X-Request-ID": hostile}), "X-Request-ID")
    if got == hostile:
        fail("a hostile X-Request-ID (markup, 118 characters) was adopted as the request id",
             expected="a fresh id instead", actual=got)
    r = client.get(CRASH, headers={**JSON, "X-Request-ID": mine})
    if mine not in r.text:
        fail("the 500 answer does not tell the request id, which support would ask for",
             expected=f"the body containing {mine}", actual=r.text[:300])


def _json_lines(text):
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def _find_record(live_app, predicate, timeout=1.0):
    """Return the first JSON log line matching ``predicate``, waiting briefly for the app."""
    deadline = time.monotonic() + timeout
    while True:
        output = live_app.output(limit=10**6)
        for record in _json_lines(output):
            if predicate(record):
                return record, output
        if time.monotonic() > deadline:
            return None, output
        time.sleep(0.05)


def _tail(output, lines=12):
    return "\n".join(output.splitlines()[-lines:])


def _values(record):
    return {str(v) for v in record.values()}


@check(points=2, hints=[
    "Logs a machine can search: one JSON object per line, each carrying the request id.",
    ("Give your logger a JSON formatter (python-json-logger's JsonFormatter) and a logging.Filter "
     "that copies g.request_id onto every record; log one line per request in after_request "
     "with the method, path and status."),
])
def test_access_log_is_json(client, live_app):
    """Each request is logged as one JSON line with its request id, path and status."""
    rid = f"grader-{uuid.uuid4().hex[:12]}"
    expect_status(client.get("/api/links", headers={"X-Request-ID": rid}), 200)
    record, output = _find_record(
        live_app, lambda r: rid in _values(r) and "/api/links" in " ".join(_values(r)))
    if record is None:
        fail("no JSON log line names the request's id and path",
             expected=f'a line such as {{"request_id": "{rid}", "path": "/api/links", '
                      '"status": 200, ...}', actual=_tail(output) or "(the app logged nothing)")
    if "200" not in _values(record):
        fail("the request's log line does not give its status", expected="a field with 200",
             actual=json.dumps(record))


@check(points=1, hints=[
    "What the client must not see, the log must keep: the traceback, with the request id.",
    ("app.logger.exception('...') inside the error handler logs at ERROR level with the "
     "traceback; your request-id filter adds the id."),
])
def test_crash_is_logged(client, live_app):
    """A crash is logged as JSON at ERROR level, with the request id and the traceback."""
    rid = f"grader-{uuid.uuid4().hex[:12]}"
    client.get(CRASH, headers={**JSON, "X-Request-ID": rid})
    record, output = _find_record(
        live_app, lambda r: rid in _values(r) and
        {"ERROR", "CRITICAL", "error", "critical"} & _values(r))
    if record is None:
        fail("no ERROR-level JSON log line names the crashed request's id",
             expected=f'{{"level": "ERROR", "request_id": "{rid}", ...}}',
             actual=_tail(output) or "(the app logged nothing)")
    if "Traceback" not in json.dumps(record) and SECRET not in json.dumps(record):
        fail("the crash's log line has no traceback: the log is where it belongs",
             expected="the exception's traceback in the record (exc_info)",
             actual=json.dumps(record)[:500])


# -- code organisation: ruff ------------------------------------------------------------------
RUFF_RULES = "E4,E7,E9,F,W,N,B"


@check(points=1, hints=[
    ("Ruff is a linter: it finds unused imports, undefined names, shadowed builtins, "
     "misleading names and likely bugs. Run `ruff check .` in your folder."),
    ("Fix each reported line; `ruff check --fix .` repairs the simple ones (unused imports, "
     "import order)."),
])
def test_ruff_advice(app_dir):
    """Ruff finds nothing to fix in the code (advisory: a linter's rules, not behaviour)."""
    cmd = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache",
           "--output-format=json", "--select", RUFF_RULES, "--target-version", "py311",
           "--exclude", "instance", "."]
    try:
        proc = subprocess.run(cmd, cwd=app_dir, capture_output=True, text=True, timeout=30,
                              check=False)
    except FileNotFoundError:
        fail("ruff could not be started", expected="ruff installed (pip install ruff)")
    except subprocess.TimeoutExpired:
        fail("ruff did not finish within 30 s")
    try:
        found = json.loads(proc.stdout or "[]")
    except ValueError:
        fail("ruff could not run", expected="ruff's report", actual=(proc.stderr or "")[-500:])
    if found:
        lines = [f"{Path(f['filename']).relative_to(app_dir)}:{f['location']['row']}: "
                 f"{f['code']} {f['message']}" for f in found[:8]]
        more = f"\n… and {len(found) - 8} more" if len(found) > 8 else ""
        fail(f"ruff reports {len(found)} problem(s) (rules {RUFF_RULES})",
             expected="`ruff check .` finds nothing", actual="\n".join(lines) + more)


# -- the student's own tests ------------------------------------------------------------------
SUITE_TIMEOUT = 30
# Known-broken copies of the reference app. Each edit must occur once in the solution.
MUTANTS = {
    "create_without_201": (
        "linkly/api.py", 'return body, 201, {"Location": body["href"]}', "return body"),
    "missing_link_crashes": (
        "linkly/api.py", "    if row is None:\n        raise LinkNotFoundError(link_id)\n", ""),
    "accepts_any_url": (
        "linkly/api.py", 'if parts.scheme not in ("http", "https") or not parts.netloc:',
        "if False:"),
}


def _copy(src, dest):
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(
        "__pycache__", "instance", ".pytest_cache", "*.sqlite", "*.db"))


# Runs each suite with pytest.main() in one interpreter, forgetting the modules a run imported
# before the next one (as pytest's own pytester does): one Python and pytest start-up for all
# the suites instead of one each.
RUNNER = r"""
import contextlib, io, json, os, sys
import pytest

marker, jobs = sys.argv[1], json.loads(sys.argv[2])
keep_modules, keep_path = set(sys.modules), list(sys.path)
results = {}
for name, folder in jobs:
    os.chdir(folder)
    sys.path[:] = [folder] + keep_path
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = int(pytest.main(["-q", "-x", "-p", "no:cacheprovider", "-rfE", "--color=no",
                                    "-W", "ignore::DeprecationWarning", "tests"]))
        except BaseException as exc:
            code = 3
            print(f"pytest stopped: {type(exc).__name__}: {exc}")
    results[name] = [code, out.getvalue()[-2500:]]
    for module in set(sys.modules) - keep_modules:
        del sys.modules[module]
sys.__stdout__.write("\n" + marker + json.dumps(results))
"""


def _run_suites(group, jobs):
    """Run each (name, folder) suite, all inside ``group``.

    The student's tests are the student's code: they run behind the same sandbox as their
    app (grader/sandbox), with ``group`` as the folder it may see. Return
    {name: (exit code or None on a timeout, output)}.
    """
    from grader import sandbox

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTEST_"))}
    extra = {"PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    marker = f"@@results-{uuid.uuid4().hex}@@"
    inner = [sys.executable, "-c", RUNNER, marker, json.dumps([[n, str(f)] for n, f in jobs])]
    run = None
    try:
        mode = sandbox.mode_from_env()
        if mode != "off":
            run = sandbox.Run(group, mode)
            run.prepare(group.parent / f"{group.name}-run")
    except (sandbox.SandboxFailure, OSError) as exc:
        if run is not None:
            run.close()
        return {name: (3, f"the sandbox failed: {exc}") for name, _ in jobs}
    timed_out = {name: (None, "") for name, _ in jobs}
    if run is None:
        try:
            proc = subprocess.Popen(inner, cwd=group, env={**env, **extra},
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            return {name: (3, f"the tests could not be started: {exc}") for name, _ in jobs}
        try:
            output = proc.communicate(timeout=SUITE_TIMEOUT)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return timed_out
    else:
        out_r, out_w = os.pipe()
        try:
            proc = subprocess.Popen(run.command(inner), cwd=group, env=run.env(env, extra),
                                    stdin=subprocess.DEVNULL, stdout=out_w,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            os.close(out_r)
            run.close()
            return {name: (3, f"the tests could not be started: {exc}") for name, _ in jobs}
        finally:
            os.close(out_w)
        run.started(proc, out_r)  # drains the output, and enforces the sandbox's own limits
        try:
            proc.wait(timeout=SUITE_TIMEOUT)
        except subprocess.TimeoutExpired:
            run.kill("timeout")
            run.close()
            return timed_out
        output = run.output()
        run.close()
    if output.count(marker) != 1:
        said = "the test run ended without its results, or printed more than one set"
        return {name: (3, said) for name, _ in jobs}
    try:
        return {name: tuple(result)
                for name, result in json.loads(output.partition(marker)[2]).items()}
    except ValueError:
        return {name: (3, f"the test run stopped early: {output[-800:]}") for name, _ in jobs}


@pytest.fixture(scope="module")
def suite_runs(app_dir, chapter):
    """Run the student's tests against their app, the reference app and each broken copy."""
    scratch = Path(tempfile.mkdtemp(prefix="flasklings-tests-"))
    try:
        if not (Path(app_dir) / "tests").is_dir():
            return {"missing": True}
        # Every copy gets a random name and the same pytest options, and the copies are dealt
        # at random to two interpreters (one per core): nothing but the app's code tells a
        # test suite which copy it is running against. -x: one failure decides a copy.
        names = ["own", "reference", *MUTANTS]
        tokens = {name: f"copy-{uuid.uuid4().hex[:12]}" for name in names}
        random.shuffle(names)
        groups = [scratch / "a", scratch / "b"]
        jobs = {group: [] for group in groups}
        for i, name in enumerate(names):
            group = groups[i % 2]
            dest = group / tokens[name]
            if name == "own":
                _copy(app_dir, dest)
            else:
                _copy(chapter.solution_dir / "linkly", dest / "linkly")
                _copy(Path(app_dir) / "tests", dest / "tests")
                for extra in ("pytest.ini", "conftest.py"):
                    if (Path(app_dir) / extra).is_file():
                        shutil.copy(Path(app_dir) / extra, dest / extra)
            if name in MUTANTS:
                file, old, new = MUTANTS[name]
                target = dest / file
                text = target.read_text(encoding="utf-8")
                # A bug that cannot be planted would grade every suite as blind: say so loudly.
                if text.count(old) != 1:
                    raise RuntimeError(f"grader: mutant {name} does not apply to the reference")
                target.write_text(text.replace(old, new), encoding="utf-8")
            jobs[group].append((tokens[name], dest))
        found = {}
        with ThreadPoolExecutor(max_workers=2) as pool:
            for part in pool.map(lambda g: _run_suites(g, jobs[g]), groups):
                found.update(part)
        return {name: found[tokens[name]] for name in tokens}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _summary(output):
    lines = [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))]
    tail = [line for line in output.splitlines() if line.strip()][-1:]
    return "\n".join(lines[:6] + tail)[-1500:]


def _expect_suite_passes(runs, which, against):
    code, output = runs[which]
    if code is None:
        fail(f"your tests did not finish within {SUITE_TIMEOUT} s against {against}",
             expected="the suite finishes", actual=output[-800:])
    if code == 5:
        fail("pytest found no tests in tests/", expected="test_*.py files with test_ functions",
             actual=output[-500:])
    if code != 0:
        fail(f"your tests fail against {against}", expected="every test passes",
             actual=_summary(output))


@check(points=1, hints=[
    ("Your tests must pass on a correct app, or they catch nothing: run `python -m pytest` "
     "in your folder."),
    ("They are also run against the course's reference app: test what the chapter asks for "
     "(statuses, JSON fields, headers), not details only your app has."),
])
def test_own_tests_pass(suite_runs):
    """Your tests in tests/ pass, against your app and against the reference app."""
    if suite_runs.get("missing"):
        fail("there is no tests/ folder", expected="tests/ with conftest.py and test files")
    _expect_suite_passes(suite_runs, "own", "your own app")
    _expect_suite_passes(suite_runs, "reference", "the reference app (which is correct)")


def _expect_caught(runs, mutant, bug):
    if runs.get("missing"):
        fail("there is no tests/ folder", expected="tests/ with conftest.py and test files")
    ref_code, _ = runs["reference"]
    if ref_code != 0:
        fail("your tests must first pass against the correct reference app "
             "(see the check above)", expected="the suite passes on a correct app")
    code, output = runs[mutant]
    if code is None:
        fail(f"your tests did not finish within {SUITE_TIMEOUT} s against an app where {bug}")
    if code == 0:
        fail(f"every one of your tests passes against an app where {bug}",
             expected="at least one test fails on that bug", actual=_summary(output))


@check(points=1, hints=[
    "A planted bug your tests should catch: creating a link answers 200 with no Location.",
    ("Test that POST /api/links answers 201, that the Location header points at the new link, "
     "and that GET on it returns the link."),
])
def test_tests_catch_wrong_create_status(suite_runs):
    """Your tests catch an app whose create answers 200 without a Location header."""
    _expect_caught(suite_runs, "create_without_201", "POST /api/links answers 200 and no Location")


@check(points=1, hints=[
    ("A planted bug your tests should catch: asking for a link that does not exist crashes "
     "(500) instead of answering 404."),
    "Test that GET /api/links/<an id that does not exist> answers 404 with a JSON error.",
])
def test_tests_catch_missing_404(suite_runs):
    """Your tests catch an app that crashes (500) on an unknown link instead of answering 404."""
    _expect_caught(suite_runs, "missing_link_crashes", "an unknown link id answers 500")


@check(points=1, hints=[
    "A planted bug your tests should catch: the API stores any string as a URL.",
    "Test that POST /api/links with {'url': 'javascript:alert(1)'} answers 400.",
])
def test_tests_catch_missing_validation(suite_runs):
    """Your tests catch an app that accepts javascript: and other non-http URLs."""
    _expect_caught(suite_runs, "accepts_any_url", "javascript: and other non-http URLs are stored")
