"""Instructor flows over HTTP: extensions against the late policy, analytics, the queue feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from classroom_harness import INSTRUCTOR, wait_graded
from conftest import bearer
from test_classroom_bad_input import csrf_of, web_login

from grader import manifest
from grader.submit import pack

CH1 = manifest.find("ch1")


def import_student(http, room, name: str, email: str) -> str:
    csrf = csrf_of(http, f"{room.url}/roster/")
    page = http.post(f"{room.url}/roster/import", data={"csrf_token": csrf}, timeout=10,
                     files={"csv": ("r.csv", f"{name},{email},Z\n".encode(), "text/csv")})
    row = BeautifulSoup(page.text, "html.parser").find("td", string=email).find_parent("tr")
    return row.find("code", class_="token").get_text()


def test_extension_lifts_the_late_penalty_and_analytics_count_failures(classroom, http):
    web_login(http, classroom, email=INSTRUCTOR[0], password=INSTRUCTOR[1])
    token = import_student(http, classroom, "Pat Extended", "pat@example.edu")
    other = import_student(http, classroom, "Lee Late", "lee@example.edu")
    csrf = csrf_of(http, f"{classroom.url}/deadlines/")
    past = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = http.post(f"{classroom.url}/deadlines/ch1", timeout=10, data={
        "csrf_token": csrf, "due_at": past, "late_hours": "24", "late_penalty_pct": "50"})
    assert "50% off when late" in r.text
    future = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = http.post(f"{classroom.url}/deadlines/extensions", timeout=10, data={
        "csrf_token": csrf, "email": "pat@example.edu", "chapter_id": "ch1", "due_at": future})
    assert "Pat Extended has until" in r.text
    try:
        results = {}
        for who, tok in (("pat", token), ("lee", other)):
            sub = http.post(f"{classroom.url}/api/submissions", headers=bearer(tok),
                            data={"chapter": "ch1"}, timeout=10,
                            files={"archive": ("a.zip", pack(CH1.exercise_dir)[0])}).json()
            results[who] = wait_graded(http, classroom.url, sub["id"], tok)
        assert results["pat"]["verdict"] == "on time"
        assert results["pat"]["effective_score"] == results["pat"]["score"]
        assert results["lee"]["verdict"] == "late"
        assert results["lee"]["effective_score"] == round(results["lee"]["score"] / 2)

        page = BeautifulSoup(http.get(f"{classroom.url}/analytics/ch1", timeout=10).text,
                             "html.parser")
        failing = page.select_one("#failing svg").get_text(" ", strip=True)
        assert "The home page answers 200" in failing
        assert "Pat Extended" not in page.select_one("#not-started").get_text()

        book = BeautifulSoup(http.get(f"{classroom.url}/gradebook", timeout=10).text,
                             "html.parser")
        history = http.get(classroom.url + book.find("a", string="Lee Late")["href"], timeout=10)
        rows = BeautifulSoup(history.text, "html.parser").select_one("#history").get_text()
        assert "late" in rows and "ch1" in rows

        feed = http.get(f"{classroom.url}/queue/data.json", timeout=10).json()
        assert feed["counts"]["done"] >= 2 and set(feed["counts"]) == {
            "queued", "running", "done", "failed"}
        assert {"wait_s", "run_s", "lane", "student"} <= set(feed["jobs"][0])
    finally:
        # Other tests share this server: leave ch1 without a deadline.
        http.post(f"{classroom.url}/deadlines/ch1", data={"csrf_token": csrf, "due_at": ""},
                  timeout=10)
