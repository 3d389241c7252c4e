"""Bad input over HTTP: each answer is a clear 4xx, and nothing is stored."""

from __future__ import annotations

import io
import stat
import warnings
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from conftest import bearer

from grader import manifest
from grader.submit import pack

CH1 = manifest.find("ch1")


def zip_of(entries) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # duplicate names are the point of one case
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


REG = stat.S_IFREG | 0o644
BAD_ARCHIVES = {
    "not a zip": (b"this is not an archive at all", "not a readable zip"),
    "truncated zip": (pack(CH1.solution_dir)[0][:200], "not a readable zip"),
    "parent traversal": (zip_of([("../../etc/evil.py", b"x", REG)]), "unsafe path"),
    "absolute path": (zip_of([("/tmp/evil.py", b"x", REG)]), "unsafe path"),
    "backslash path": (zip_of([("..\\evil.py", b"x", REG)]), "unsafe path"),
    "symlink": (zip_of([("linkly/secrets", b"/etc/passwd", stat.S_IFLNK | 0o777)]),
                "link or special file"),
    "bomb": (zip_of([("big.txt", b"\0" * (9 * 1024 * 1024), REG)]), "unpacks to"),
    "too many entries": (zip_of([(f"f{i}.py", b"", REG) for i in range(450)]), "entries"),
    "duplicate names": (zip_of([("a.py", b"1", REG), ("a.py", b"2", REG)]), "twice"),
    "empty": (zip_of([]), "no files"),
}


class Nothing:
    """Assert that a block stores no submission, job or file."""

    def __init__(self, room):
        self.room = room

    def __enter__(self):
        self.before = (self.room.count("submissions"), self.room.count("jobs"),
                       self.room.stored_files())

    def __exit__(self, *exc):
        after = (self.room.count("submissions"), self.room.count("jobs"),
                 self.room.stored_files())
        assert after == self.before, "a refused request stored something"


def post(http, room, token, data=b"", chapter="ch1", **kw):
    return http.post(f"{room.url}/api/submissions", headers=bearer(token) if token else {},
                     data={"chapter": chapter},
                     files={"archive": ("ch1.zip", data, "application/zip")}, timeout=30, **kw)


@pytest.mark.parametrize("case", sorted(BAD_ARCHIVES))
def test_bad_archive_is_refused_and_nothing_stored(classroom, http, case):
    data, words = BAD_ARCHIVES[case]
    with Nothing(classroom):
        r = post(http, classroom, classroom.tokens["kj@example.edu"], data)
    assert r.status_code in (400, 413), r.text
    if r.status_code == 400:
        assert words in r.json()["error"]


def test_oversized_upload_is_413(classroom, http):
    with Nothing(classroom):
        r = post(http, classroom, classroom.tokens["kj@example.edu"], b"\0" * (200 * 1024))
    assert r.status_code == 413
    assert "larger than the 64 KiB" in r.json()["error"]


def test_wrong_and_missing_token_are_401(classroom, http):
    data, _ = pack(CH1.solution_dir)
    with Nothing(classroom):
        wrong = post(http, classroom, "flk_wrong", data)
        missing = post(http, classroom, "", data)
    assert wrong.status_code == 401 and "not known here" in wrong.json()["error"]
    assert missing.status_code == 401 and "Bearer" in missing.json()["error"]


def test_expired_token_is_401(classroom, http):
    past = datetime.now(UTC) - timedelta(days=1)
    old = classroom.tokens["kj@example.edu"]
    token = classroom.cli("reissue", "kj@example.edu").stdout.strip()
    # Re-issuing replaces the token: the old one stops working at once.
    replaced = http.get(f"{classroom.url}/api/me", headers=bearer(old), timeout=10)
    assert replaced.status_code == 401 and "not known here" in replaced.json()["error"]
    classroom.sql("UPDATE users SET token_expires_at = :t WHERE email = 'kj@example.edu'", t=past)
    try:
        data, _ = pack(CH1.solution_dir)
        with Nothing(classroom):
            r = post(http, classroom, token, data)
        assert r.status_code == 401 and "expired" in r.json()["error"]
    finally:
        classroom.tokens["kj@example.edu"] = classroom.cli("reissue", "kj@example.edu") \
            .stdout.strip()


def test_unknown_chapter_and_missing_file_are_400(classroom, http):
    token = classroom.tokens["kj@example.edu"]
    with Nothing(classroom):
        r1 = post(http, classroom, token, pack(CH1.solution_dir)[0], chapter="ch99")
        r2 = http.post(f"{classroom.url}/api/submissions", headers=bearer(token),
                       data={"chapter": "ch1"}, timeout=10)
    assert r1.status_code == 400 and "unknown chapter" in r1.json()["error"]
    assert r2.status_code == 400 and "no archive" in r2.json()["error"]


def test_foreign_submission_id_is_404(classroom, http):
    owner = classroom.tokens["ada@example.edu"]
    other = classroom.tokens["kj@example.edu"]
    data = zip_of([("linkly/__init__.py", b"# foreign test\n", REG)])
    r = post(http, classroom, owner, data)
    assert r.status_code == 201
    sub_id = r.json()["id"]
    assert http.get(f"{classroom.url}/api/submissions/{sub_id}", headers=bearer(owner),
                    timeout=10).status_code == 200
    theirs = http.get(f"{classroom.url}/api/submissions/{sub_id}", headers=bearer(other),
                      timeout=10)
    assert theirs.status_code == 404 and f"no submission #{sub_id}" in theirs.json()["error"]
    # ...and on the web page too, signed in as the other student.
    web_login(http, classroom, token=other)
    assert http.get(f"{classroom.url}/me/submissions/{sub_id}", timeout=10).status_code == 404


def csrf_of(http, url: str) -> str:
    page = http.get(url, timeout=10)
    return BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]


def web_login(http, room, token=None, email=None, password=None):
    csrf = csrf_of(http, f"{room.url}/login")
    form = {"csrf_token": csrf}
    form.update({"token": token} if token else {"email": email, "password": password})
    return http.post(f"{room.url}/login", data=form, timeout=10)


def test_csrf_less_post_is_400_and_imports_nothing(classroom, http):
    from classroom_harness import INSTRUCTOR

    assert web_login(http, classroom, email=INSTRUCTOR[0], password=INSTRUCTOR[1]).ok
    users = classroom.count("users")
    r = http.post(f"{classroom.url}/roster/import", timeout=10,
                  files={"csv": ("r.csv", b"Eve,eve@example.edu\n", "text/csv")})
    assert r.status_code == 400 and "CSRF token is missing" in r.text
    assert classroom.count("users") == users
    # With the token the same import works: the refusal above was the CSRF check.
    csrf = csrf_of(http, f"{classroom.url}/roster/")
    ok = http.post(f"{classroom.url}/roster/import", data={"csrf_token": csrf}, timeout=10,
                   files={"csv": ("r.csv", b"Eve Example,eve@example.edu\n", "text/csv")})
    assert ok.status_code == 200 and "flk_" in ok.text
    assert classroom.count("users") == users + 1


def test_malformed_roster_imports_nothing(classroom, http):
    from classroom_harness import INSTRUCTOR

    web_login(http, classroom, email=INSTRUCTOR[0], password=INSTRUCTOR[1])
    users = classroom.count("users")
    csrf = csrf_of(http, f"{classroom.url}/roster/")
    r = http.post(f"{classroom.url}/roster/import", data={"csrf_token": csrf}, timeout=10,
                  files={"csv": ("r.csv", b"Ok Person,ok@example.edu\nBroken,not-an-email\n",
                                 "text/csv")})
    assert r.status_code == 200 and "Nothing was imported" in r.text
    assert "row 2: not-an-email is not an email address" in r.text
    assert classroom.count("users") == users


def test_students_cannot_open_instructor_pages(classroom, http):
    web_login(http, classroom, token=classroom.tokens["grace@example.edu"])
    for path in ("/gradebook", "/gradebook.csv", "/roster/", "/deadlines/", "/analytics/ch1",
                 "/queue/", "/queue/data.json", "/submissions/1", "/students/1"):
        r = http.get(classroom.url + path, timeout=10, allow_redirects=False)
        assert r.status_code == 403, path


def test_anonymous_visitors_are_sent_to_sign_in(classroom, http):
    for path in ("/gradebook", "/me", "/roster/", "/queue/"):
        r = http.get(classroom.url + path, timeout=10, allow_redirects=False)
        assert r.status_code == 302 and "/login" in r.headers["Location"], path
    assert http.get(classroom.url + "/chapters/ch1", timeout=10).status_code == 403


def test_instructor_tokenless_api_and_wrong_password(classroom, http):
    from classroom_harness import INSTRUCTOR

    r = web_login(http, classroom, email=INSTRUCTOR[0], password="wrong password")
    assert r.status_code == 401 and "do not match" in r.text
    # A signed-in instructor's cookie is not an API credential.
    web_login(http, classroom, email=INSTRUCTOR[0], password=INSTRUCTOR[1])
    assert http.get(f"{classroom.url}/api/me", timeout=10).status_code == 401


def test_submit_is_rate_limited_per_token(classroom, http):
    token = classroom.tokens["rate@example.edu"]
    junk = BAD_ARCHIVES["not a zip"][0]
    # Refused uploads count too: the limit is on attempts, so nobody can hammer the endpoint.
    with Nothing(classroom):
        codes = [post(http, classroom, token, junk).status_code for _ in range(22)]
    assert codes[:20] == [400] * 20 and codes[20:] == [429, 429]
    r = post(http, classroom, token, pack(CH1.solution_dir)[0])
    assert r.status_code == 429 and "Too many attempts" in r.json()["error"]
    # Another student is not affected by this one's limit.
    assert post(http, classroom, classroom.tokens["grace@example.edu"], junk).status_code == 400


def test_instructor_sees_the_failed_http_exchanges(classroom, http):
    from classroom_harness import INSTRUCTOR, wait_graded

    token = classroom.tokens["mary@example.edu"]
    r = post(http, classroom, token, pack(CH1.exercise_dir)[0])
    assert r.status_code == 201
    assert wait_graded(http, classroom.url, r.json()["id"], token)["status"] == "fail"
    web_login(http, classroom, email=INSTRUCTOR[0], password=INSTRUCTOR[1])
    page = http.get(f"{classroom.url}/submissions/{r.json()['id']}", timeout=10)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    exchanges = [d.find("summary").get_text(" ", strip=True)
                 for d in soup.select("details.exchange")]
    assert any(s.startswith("GET /health → 404") for s in exchanges), exchanges
    files = [d.find("summary").get_text(strip=True) for d in soup.select("details.file")]
    assert "linkly/__init__.py" in files


def test_login_is_rate_limited(tmp_path, http):
    from classroom_harness import INSTRUCTOR, Classroom

    room = Classroom(tmp_path / "limits", {"CLASSROOM_LOGIN_LIMIT": "3/minute",
                                           "CLASSROOM_PROXIES": "1"})
    room.setup(roster=False).start()
    try:
        http.headers["X-Forwarded-For"] = "203.0.113.7"  # as a reverse proxy would say
        codes = [web_login(http, room, email=INSTRUCTOR[0], password="guess").status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        blocked = web_login(http, room, email=INSTRUCTOR[0], password=INSTRUCTOR[1])
        assert blocked.status_code == 429 and "Too many attempts" in blocked.text
        # Behind the proxy, another client is counted on its own.
        http.headers["X-Forwarded-For"] = "198.51.100.9"
        assert web_login(http, room, email=INSTRUCTOR[0], password=INSTRUCTOR[1]).ok
    finally:
        room.kill()


def test_pages_send_protective_headers(classroom, http):
    r = http.get(f"{classroom.url}/login", timeout=10)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "HttpOnly" in r.headers["Set-Cookie"]  # the session cookie holding the CSRF secret
