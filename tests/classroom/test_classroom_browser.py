"""End to end in Debian's chromium: roster import, a CLI submission, the gradebook, CSV export.

Screenshots of the main pages go to test-artifacts/classroom/ (git-ignored).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from classroom_harness import INSTRUCTOR, ROOT, ROSTER, Classroom
from playwright.sync_api import expect

SHOTS = ROOT / "test-artifacts" / "classroom"


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    room = Classroom(tmp_path_factory.mktemp("browser")).setup(roster=False).start()
    yield room
    room.kill()


def shot(page, name: str, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_instructor_roster_cli_submit_gradebook_and_csv(room, page, browser, tmp_path):
    # The instructor signs in and imports the roster from a CSV file.
    page.goto(f"{room.url}/login")
    shot(page, "01-login")
    page.locator("#instructor-login input[name=email]").fill(INSTRUCTOR[0])
    page.locator("#instructor-login input[name=password]").fill(INSTRUCTOR[1])
    page.locator("#instructor-login button").click()
    expect(page.locator("h1")).to_have_text("Gradebook")
    page.locator("header nav").get_by_role("link", name="Roster", exact=True).click()
    roster_csv = tmp_path / "class.csv"
    roster_csv.write_text(ROSTER, encoding="utf-8")
    page.locator("#import input[type=file]").set_input_files(str(roster_csv))
    page.locator("#import button").click()
    expect(page.locator(".flash")).to_contain_text("Imported 6 students: 6 new")
    shot(page, "02-tokens-shown-once")
    token = page.locator("#tokens tr", has_text="ada@example.edu").locator("code.token") \
        .inner_text()
    assert token.startswith("flk_")

    # A deadline an hour ago with a two-day late window: Ada's submission will be late.
    page.locator("header nav").get_by_role("link", name="Deadlines", exact=True).click()
    due = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.locator("input[form=dl-ch1][name=due_at]").fill(due)
    page.locator("input[form=dl-ch1][name=late_hours]").fill("48")
    page.locator("input[form=dl-ch1][name=late_penalty_pct]").fill("25")
    page.locator("button[form=dl-ch1]").click()
    expect(page.locator(".flash")).to_contain_text("48 h late window, 25% off")
    shot(page, "03-deadlines")

    # The student logs in and submits from the command line.
    env = room.env | {"FLASKLINGS_CLASSROOM": str(tmp_path / "login.json")}
    run = lambda *a: subprocess.run([sys.executable, "-m", "grader", *a], env=env, cwd=ROOT,
                                    capture_output=True, text=True, timeout=120, check=False)
    assert run("login", room.url, token).returncode == 0
    out = run("ch1", "--solution", "--submit")
    assert "Server result for #1: pass, 9/9 (late: 7 counted)" in out.stdout, out.stdout + out.stderr
    # ...and then the unfinished exercise, which fails: the best score still counts.
    out = run("ch1", "--submit")
    assert "Server result for #2: fail" in out.stdout, out.stdout + out.stderr

    # The gradebook shows the counted score with the late flag.
    page.locator("header nav").get_by_role("link", name="Gradebook", exact=True).click()
    ada = page.locator("#gradebook tr", has_text="Ada Lovelace")
    expect(ada.locator(".score")).to_have_text("7/9")
    expect(ada.locator(".tag.late")).to_be_visible()
    shot(page, "04-gradebook")

    # CSV export downloads, in a shape a spreadsheet or LMS import reads.
    with page.expect_download() as dl:
        page.locator("#export").click()
    rows = list(csv.reader(io.StringIO(dl.value.path().read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Student", "Email", "Section"] and rows[0][3].startswith("ch1 ")
    assert ["Ada Lovelace", "ada@example.edu", "A", "7"] == rows[[r[0] for r in rows]
                                                                .index("Ada Lovelace")][:4]
    assert dl.value.suggested_filename == "flasklings-gradebook.csv"

    # Drill into the submission: results, hidden check, files.
    ada.locator(".score").click()
    expect(page.locator("#summary")).to_contain_text("pass")
    expect(page.locator("#checks")).to_contain_text("GET /health says it is JSON")
    expect(page.locator("details.file summary").first).to_be_visible()
    page.locator("details.file").first.locator("summary").click()
    shot(page, "05-submission")

    # The failed attempt, from the student's history: the HTTP exchanges that went wrong.
    page.locator("header nav").get_by_role("link", name="Gradebook", exact=True).click()
    page.get_by_role("link", name="Ada Lovelace").click()
    page.locator("#history").get_by_role("link", name="2", exact=True).click()
    expect(page.locator("#summary")).to_contain_text("fail")
    health = page.locator("details.exchange", has_text="GET /health → 404").first
    expect(health.locator("pre")).to_contain_text("HTTP 404")  # the last exchange is open
    health.scroll_into_view_if_needed()
    shot(page, "05b-failed-exchanges", full=False)

    page.locator("header nav").get_by_role("link", name="Analytics", exact=True).click()
    expect(page.locator("#not-started")).to_contain_text("Not started (5)")
    shot(page, "06-analytics")

    page.locator("header nav").get_by_role("link", name="Queue", exact=True).click()
    expect(page.locator(".count.done .n")).to_have_text("2")
    shot(page, "07-queue")

    # The student's own page, in a separate browser session.
    student = browser.new_context()
    spage = student.new_page()
    spage.goto(f"{room.url}/login")
    spage.locator("#student-login input[name=token]").fill(token)
    spage.locator("#student-login button").click()
    expect(spage.locator("#progress")).to_contain_text("7/9")
    expect(spage.locator("#submissions")).to_contain_text("late")
    shot(spage, "08-student-home")
    spage.get_by_role("link", name="ch1 · WSGI and the development server").click()
    # Python cells come out highlighted by Pygments (keyword spans such as class "k").
    python_block = spage.locator("article.chapter .codehilite:has(span.k)").first
    expect(python_block).to_be_visible()
    python_block.scroll_into_view_if_needed()
    shot(spage, "09-chapter", full=False)
    assert spage.goto(f"{room.url}/gradebook").status == 403
    student.close()
