"""The grader against small fixture apps that pass, fail, crash, hang and never start."""

import json
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from grader import runner
from grader.manifest import ROOT, Chapter

APPS = Path(__file__).parent / "fixtures" / "apps"
FIXTURE = Chapter(id="ch99", slug="fixture", title="Fixture", app="app",
                  extra={"checks": str(Path(__file__).parent / "fixtures" / "checks_basic.py")})


def grade(name, **kw):
    return runner.grade(FIXTURE, APPS / name, **kw)


def by_name(doc):
    return {t["name"]: t for t in doc["tests"]}


def leftovers(folder: Path) -> list:
    """Processes still running with ``folder`` as their working directory."""
    found = []
    for p in psutil.process_iter(["cwd"]):
        try:
            if p.info["cwd"] == str(folder):
                found.append(p)
        except psutil.Error:
            continue
    return found


def test_good_app_passes_with_full_marks():
    doc = grade("good")
    assert doc["status"] == "pass"
    assert (doc["score"], doc["max_score"]) == (6, 6)
    assert [t["status"] for t in doc["tests"]] == ["pass"] * 5
    assert doc["outcome"] is None
    assert not leftovers(APPS / "good")


def test_wrong_app_fails_with_the_exchange_and_its_own_traceback():
    doc = grade("wrong")
    assert doc["status"] == "fail"
    tests = by_name(doc)
    home = tests["test_home"]
    assert home["status"] == "fail"
    assert "does not contain 'Hello, Flasklings!'" in home["message"]
    assert home["actual"].startswith("Hello, world")
    assert home["hint"] == "Return the greeting from the view for /."
    assert home["exchanges"][-1]["status"] == 200
    item = tests["test_item"]
    assert "answered 500, expected 200" in item["message"]
    tb = item["server_traceback"]
    assert 'File "app.py", line 28, in lookup' in tb
    assert tb.rstrip().endswith("KeyError: 3")
    assert "site-packages" not in tb and "frames inside flask" in tb
    assert tests["test_after"]["status"] == "pass"
    assert doc["score"] == 3


@pytest.mark.parametrize("name,kind,words", [
    ("syntax", "syntax_error", ['File "app.py", line 4', "SyntaxError"]),
    ("import_error", "import_error", ['File "app.py", line 4, in <module>', "KeyError: 'port'"]),
    ("no_app", "no_app", []),
    ("exits", "exited", []),
])
def test_app_that_cannot_start_gets_a_named_outcome(name, kind, words):
    doc = grade(name)
    assert doc["status"] == "error"
    assert doc["outcome"]["kind"] == kind
    text = doc["outcome"]["message"] + doc["outcome"]["detail"]
    for word in words:
        assert word in text
    assert "<frozen" not in text and "launcher.py" not in text
    assert all(t["status"] == "error" and t["outcome"] == "not_run" for t in doc["tests"])
    assert doc["score"] == 0
    assert not leftovers(APPS / name)


def test_exit_message_names_the_call():
    doc = grade("exits")
    assert "sys.exit('missing configuration')" in doc["outcome"]["message"]


def test_app_that_never_finishes_importing_is_stopped():
    doc = grade("never_ready", startup_timeout=1.5)
    assert doc["outcome"]["kind"] == "never_ready"
    assert "1.5 s" in doc["outcome"]["message"]
    assert doc["duration_s"] < 10
    assert not leftovers(APPS / "never_ready")


def test_hung_handler_times_out_shows_where_and_later_checks_run():
    doc = grade("hang")
    slow = by_name(doc)["test_slow"]
    assert slow["status"] == "error" and slow["outcome"] == "timeout"
    assert "GET /slow got no answer within 1 s" in slow["message"]
    assert "time.sleep(3600)" in slow["stuck_at"]
    assert 'File "app.py", line 20, in slow' in slow["stuck_at"]
    assert by_name(doc)["test_after"]["status"] == "pass"
    assert not leftovers(APPS / "hang")


def test_crash_during_a_check_is_named_and_the_app_restarts():
    doc = grade("crash")
    die = by_name(doc)["test_die"]
    assert die["status"] == "error" and die["outcome"] == "crashed"
    assert "exit status 7" in die["message"]
    assert by_name(doc)["test_after"]["status"] == "pass"


def test_unguarded_app_run_is_skipped_and_explained():
    doc = grade("app_run")
    assert by_name(doc)["test_home"]["status"] == "pass"


def test_grade_never_writes_into_the_graded_folder(tmp_path):
    import shutil

    app = tmp_path / "good"
    shutil.copytree(APPS / "good", app)
    before = sorted(p.name for p in app.rglob("*"))
    assert grade("good")["status"] == "pass"
    assert runner.grade(FIXTURE, app)["status"] == "pass"
    assert sorted(p.name for p in app.rglob("*")) == before


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_unknown_chapter_is_a_usage_error_listing_chapters():
    r = run_cli("ch42")
    assert r.returncode == 2
    assert "no chapter called 'ch42'" in r.stderr and "ch1 (" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_grades_a_solution_with_full_marks():
    # Every spelling of a chapter is tested on manifest.find (tests/test_course.py).
    r = run_cli("01", "--solution", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["chapter"] == "ch1" and doc["status"] == "pass"
    assert doc["score"] == doc["max_score"] > 0


def test_cli_json_document_shape_and_exit_status_for_a_skeleton(tmp_path):
    junit = tmp_path / "ch1.xml"
    r = run_cli("ch1", "--json", "--junit", str(junit), "--path", "exercises/ch01_wsgi")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert set(doc) >= {"status", "score", "max_score", "tests", "duration_s", "outcome"}
    assert doc["status"] == "fail" and doc["score"] < doc["max_score"]
    for t in doc["tests"]:
        assert set(t) >= {"name", "status", "message", "hint", "points"}
        assert t["status"] in ("pass", "fail", "error")
    xml = junit.read_text()
    assert "<testsuite" in xml and xml.count("<testcase") == len(doc["tests"])
    assert "<failure" in xml


def test_cli_missing_path_is_a_usage_error(tmp_path):
    r = run_cli("ch1", "--path", str(tmp_path / "nope"))
    assert r.returncode == 2 and "there is no folder" in r.stderr


def test_cli_report_is_plain_text_when_piped():
    r = run_cli("ch1", "--solution")
    assert r.returncode == 0
    assert "\x1b[" not in r.stdout
    assert "Score " in r.stdout and "all checks pass" in r.stdout


def test_client_follows_redirects_only_within_the_machine():
    import threading

    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    from grader.client import RecordingClient

    @Request.application
    def app(request):
        if request.path == "/away":
            return Response(status=302, headers={"Location": "http://192.0.2.1/never"})
        if request.path == "/home":
            return Response(status=302, headers={"Location": "/landing"})
        return Response("landed")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = RecordingClient(f"http://127.0.0.1:{server.port}")
        r = client.get("/home")
        assert r.status_code == 200 and r.text == "landed"
        assert client.log[-1]["redirects"] == ["302 → /landing"]
        r = client.get("/away")  # an off-machine target is not followed
        assert r.status_code == 302
        assert r.headers["Location"] == "http://192.0.2.1/never"
    finally:
        server.shutdown()
        server.server_close()


def test_broken_manifest_is_reported_not_dumped(tmp_path):
    from grader import manifest

    bad = tmp_path / "course.toml"
    bad.write_text('[[chapter]]\nid = "ch1"\nslug = "a"\ntitle = "A\n')
    with pytest.raises(manifest.ManifestError, match="course.toml"):
        manifest.load(bad)
    bad.write_text('[[chapter]]\nid = "ch1"\nslug = "a"\ntitle = "A"\n'
                   '[[chapter]]\nid = "ch1"\nslug = "b"\ntitle = "B"\n')
    with pytest.raises(manifest.ManifestError, match="listed more than once: ch1"):
        manifest.load(bad)


def test_html_parses_without_soupsieve_until_a_selector_runs():
    code = (
        "import sys\n"
        "from grader.checking import html\n"
        "class R: text = '<ul><li class=x>a</li><li>b</li></ul>'\n"
        "soup = html(R())\n"
        "assert [li.get_text() for li in soup.find_all('li')] == ['a', 'b']\n"
        "assert sys.modules.get('soupsieve') is None\n"
        "assert [li.get_text() for li in soup.select('li.x')] == ['a']\n"
        "assert sys.modules['soupsieve'] is not None\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.stdout.strip() == "ok", r.stderr


def test_a_started_copy_reports_its_own_traceback():
    chapter = Chapter(id="ch98", slug="extra", title="Extra", app="app",
                      extra={"checks": str(Path(__file__).parent / "fixtures" / "checks_extra.py")})
    doc = runner.grade(chapter, APPS / "extra_copy")
    check = by_name(doc)["test_second_app"]
    assert check["status"] == "fail"
    assert 'File "boom.py", line 4, in application' in check["server_traceback"]
    assert "KeyError: 'greeting'" in check["server_traceback"]


def test_a_str_body_is_named_not_a_broken_connection():
    plain = Chapter(id="ch99", slug="fixture", title="Fixture", app="app:app",
                    extra=FIXTURE.extra)
    home = by_name(runner.grade(plain, APPS / "str_body"))["test_home"]
    assert "answered 500" in home["message"]
    assert "produced str, not bytes" in home["server_traceback"]


def test_an_unguarded_app_run_is_a_note_in_the_results():
    doc = grade("app_run")
    assert any("app.run() was called" in note for note in doc["notes"])
    from grader import report

    assert "Note: app.run() was called" in report.render(doc, colour=False)
