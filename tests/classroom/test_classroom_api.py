"""The submission API and the CLI client against a real classroom server over HTTP."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import requests
from classroom_harness import ROOT, wait_graded
from conftest import bearer

from grader import manifest
from grader.submit import pack

CH1 = manifest.find("ch1")


def grader_cli(room, tmp_path, *args):
    env = room.env | {"FLASKLINGS_CLASSROOM": str(tmp_path / "login.json"),
                      "FLASKLINGS_SUBMIT_WAIT": "60"}
    return subprocess.run([sys.executable, "-m", "grader", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def post_archive(http, room, token, data: bytes, chapter="ch1", **form):
    return http.post(f"{room.url}/api/submissions", headers=bearer(token),
                     data={"chapter": chapter, **form},
                     files={"archive": ("ch1.zip", data, "application/zip")}, timeout=30)


def test_cli_login_submit_prints_receipt_and_server_result(classroom, tmp_path):
    r = grader_cli(classroom, tmp_path, "login", classroom.url, classroom.tokens["ada@example.edu"])
    assert r.returncode == 0, r.stderr
    assert "as Ada Lovelace <ada@example.edu>" in r.stdout
    r = grader_cli(classroom, tmp_path, "ch1", "--solution", "--submit")
    assert r.returncode == 0, r.stdout + r.stderr
    _, digest = pack(CH1.solution_dir)
    assert f"content sha256 {digest}" in r.stdout
    # 8 public points plus the server's hidden check: the student never had that file.
    assert "Server result for #" in r.stdout and "pass, 9/9" in r.stdout


def test_server_regrades_and_ignores_the_client_score(classroom, http):
    token = classroom.tokens["alan@example.edu"]
    data, digest = pack(CH1.exercise_dir)
    r = post_archive(http, classroom, token, data, client_score="999")
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert receipt["content_hash"] == digest and receipt["duplicate"] is False
    body = wait_graded(http, classroom.url, receipt["id"], token)
    assert body["state"] == "done" and body["status"] == "fail"
    assert body["client_score"] == 999 and body["score"] < 8 and body["max_score"] == 9
    stored = json.loads(classroom.sql("SELECT result_json FROM submissions WHERE id = :i",
                                      i=receipt["id"])[0][0])
    names = [t["name"] for t in stored["tests"]]
    assert "test_health_is_json" in names and "test_home_page" in names


def test_identical_resubmission_is_recognised(classroom, http):
    token = classroom.tokens["grace@example.edu"]
    data, _ = pack(CH1.solution_dir)
    first = post_archive(http, classroom, token, data)
    assert first.status_code == 201
    before = classroom.count("submissions")
    # Same files zipped again with other timestamps and order: still the same content.
    files = {n: zipfile.ZipFile(io.BytesIO(data)).read(n)
             for n in zipfile.ZipFile(io.BytesIO(data)).namelist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in reversed(list(files)):
            zf.writestr(name, files[name])
    again = post_archive(http, classroom, token, buf.getvalue())
    assert again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    assert classroom.count("submissions") == before
    wait_graded(http, classroom.url, first.json()["id"], token)


def test_cli_login_with_wrong_token_fails_clearly(classroom, tmp_path):
    r = grader_cli(classroom, tmp_path, "login", classroom.url, "flk_not-a-real-token")
    assert r.returncode == 1
    assert "refused the request (401)" in r.stderr and "not known here" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "login.json").exists()


def test_submit_without_login_says_how_to_log_in(classroom, tmp_path):
    r = grader_cli(classroom, tmp_path, "ch1", "--solution", "--submit")
    assert r.returncode == 1
    assert "python -m grader login URL TOKEN" in r.stderr and "Traceback" not in r.stderr


def test_regrade_queues_bulk_jobs_that_finish(classroom, http):
    token = classroom.tokens["ada@example.edu"]
    r = classroom.cli("regrade", "ch1")
    assert "re-grades of ch1 on the bulk lane" in r.stdout
    queued = int(r.stdout.split()[1])
    assert queued >= 1
    # This CLI has no pool of its own: the running server's pool picks the jobs up.
    ids = [row[0] for row in classroom.sql(
        "SELECT submission_id FROM jobs WHERE lane = 'bulk' ORDER BY id DESC LIMIT :n",
        n=queued)]
    user_ids = {row[0] for row in classroom.sql(
        "SELECT id FROM users WHERE email = 'ada@example.edu'")}
    mine = [i for i in ids if classroom.sql("SELECT user_id FROM submissions WHERE id = :i",
                                            i=i)[0][0] in user_ids]
    assert mine
    import time
    end = time.monotonic() + 60
    while classroom.sql("SELECT count(*) FROM jobs WHERE lane = 'bulk' AND state IN "
                        "('queued', 'running')")[0][0] and time.monotonic() < end:
        time.sleep(0.3)
    states = {row[0] for row in classroom.sql("SELECT state FROM jobs WHERE lane = 'bulk'")}
    assert states == {"done"}
    assert wait_graded(http, classroom.url, mine[0], token)["score"] == 9


def test_identical_uploads_racing_each_other_make_one_submission(classroom, http):
    from concurrent.futures import ThreadPoolExecutor

    token = classroom.tokens["grace@example.edu"]
    data = zipfile_of({"linkly/__init__.py": b"# raced\n", "notes.txt": b"same bytes\n"})
    before = classroom.count("submissions")

    def send(_):
        return post_archive(requests, classroom, token, data).status_code

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(send, range(6)))
    assert sorted(codes) == [200] * 5 + [201]
    assert classroom.count("submissions") == before + 1


def zipfile_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return buf.getvalue()
