"""The student's loop through the real CLI, in a throwaway copy of the course (chapter 1)."""

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from xml.etree import ElementTree as ET

import pytest

from grader.manifest import ROOT

SLUG = "ch01_wsgi"
GIT = ["git", "-c", "user.name=Student", "-c", "user.email=student@example.invalid",
       "-c", "init.defaultBranch=main"]
IGNORE = shutil.ignore_patterns("__pycache__", "instance", "*.pyc")


@pytest.fixture
def course(tmp_path):
    """A git checkout holding the grader, the manifest and chapter 1, as a student clones it."""
    root = tmp_path / "course"
    root.mkdir()
    for name in ("grader", "course", "exercises", "solutions"):
        shutil.copytree(ROOT / name, root / name, ignore=IGNORE)
    for name in ("pyproject.toml", "requirements.txt", ".gitignore"):
        shutil.copy(ROOT / name, root / name)
    subprocess.run(GIT + ["init", "-q"], cwd=root, check=True)
    subprocess.run(GIT + ["add", "."], cwd=root, check=True)
    subprocess.run(GIT + ["commit", "-qm", "course"], cwd=root, check=True)
    return root


def grader(course, *args, stdin=subprocess.DEVNULL):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=course, env=env,
                          stdin=stdin, capture_output=True, text=True, timeout=120, check=False)


def solve(course, tweak=True):
    """Copy the reference into the exercise, with one harmless change of the student's own."""
    for path in (course / "solutions" / SLUG).rglob("*.py"):
        rel = path.relative_to(course / "solutions" / SLUG)
        text = path.read_text()
        if tweak and rel.name == "wsgi_hello.py":
            text += "\n# my own note\n"
        (course / "exercises" / SLUG / rel).write_text(text)


def test_hint_climbs_on_each_ask(course):
    first = grader(course, "hint", "ch1")
    second = grader(course, "hint", "ch1")
    assert first.returncode == 1 and second.returncode == 1
    assert "First failing check:" in first.stdout and "Hint 1 of" in first.stdout
    assert "Hint 2 of" in second.stdout
    state = json.loads((course / ".flasklings" / "progress.json").read_text())
    assert state["chapters"]["ch1"]["last"]["status"] == "fail"


def test_json_and_junit_for_machines(course):
    out = course / "report.xml"
    run = grader(course, "ch1", "--json", "--junit", str(out))
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["chapter"] == "ch1" and doc["status"] == "fail"
    failing = [t["name"] for t in doc["tests"] if t["status"] != "pass"]
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite.get("tests") == str(len(doc["tests"]))
    assert sorted(c.get("name") for c in suite.findall("testcase")
                  if len(c)) == sorted(failing)


def test_the_reference_opens_only_after_a_pass(course):
    closed = grader(course, "solution", "ch1")
    assert closed.returncode == 1
    assert "opens once your app passes every check" in closed.stdout
    assert "---" not in closed.stdout

    solve(course)
    graded = grader(course, "ch1")
    assert graded.returncode == 0, graded.stdout
    assert "python -m grader solution ch1" in graded.stdout

    opened = grader(course, "solution", "ch1")
    assert opened.returncode == 0
    assert "--- your wsgi_hello.py" in opened.stdout and "-# my own note" in opened.stdout

    listed = grader(course, "list")
    assert "✓ ch1" in listed.stdout and "[####################]" in listed.stdout
    assert "Next: ch2" in listed.stdout


def test_reset_confirms_backs_up_and_restores(course):
    exercise = course / "exercises" / SLUG
    pristine = (exercise / "wsgi_hello.py").read_text()
    (exercise / "wsgi_hello.py").write_text("my work\n")
    (exercise / "notes.txt").write_text("my notes\n")

    refused = grader(course, "reset", "ch1")  # stdin is not a terminal: no silent reset
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert (exercise / "wsgi_hello.py").read_text() == "my work\n"

    done = grader(course, "reset", "ch1", "--yes")
    assert done.returncode == 0, done.stderr
    assert (exercise / "wsgi_hello.py").read_text() == pristine
    assert not (exercise / "notes.txt").exists()
    backup, = (course / ".flasklings" / "backups").iterdir()
    assert (backup / "wsgi_hello.py").read_text() == "my work\n"
    assert (backup / "notes.txt").read_text() == "my notes\n"

    again = grader(course, "reset", "ch1", "--yes")
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_reset_ignores_the_students_own_commits(course, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(GIT + ["clone", "-q", str(course), str(clone)], check=True)
    exercise = clone / "exercises" / SLUG
    pristine = (exercise / "wsgi_hello.py").read_text()
    (exercise / "wsgi_hello.py").write_text("committed work\n")
    subprocess.run(GIT + ["commit", "-qam", "my work"], cwd=clone, check=True)
    done = grader(clone, "reset", "ch1", "--yes")
    assert done.returncode == 0, done.stderr
    assert (exercise / "wsgi_hello.py").read_text() == pristine


def test_reset_outside_git_says_why_and_changes_nothing(course):
    shutil.rmtree(course / ".git")
    exercise = course / "exercises" / SLUG
    (exercise / "wsgi_hello.py").write_text("my work\n")
    run = grader(course, "reset", "ch1", "--yes")
    assert run.returncode == 1
    assert "not a git checkout" in run.stderr and "Traceback" not in run.stderr
    assert (exercise / "wsgi_hello.py").read_text() == "my work\n"


def test_watch_command_regrades_a_save_until_q(course):
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-m", "grader", "watch", "ch1"], cwd=course,
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

    def wait_for(text):
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return
        raise AssertionError(f"watch never printed {text!r}:\n{''.join(seen)}")

    def send(key):
        proc.stdin.write(key + "\n")
        proc.stdin.flush()

    try:
        wait_for("first run · graded at")
        # Keys pressed while a grade runs (when pytest points fd 0 at /dev/null) still work.
        send("r")
        for _ in range(6):
            time.sleep(0.05)
            send("l")
        wait_for("re-run · graded at")
        wait_for("chapters passed")
        time.sleep(0.2)
        solve(course, tweak=False)
        wait_for("Score 8/8")
        wait_for("All checks pass!")
        send("n")  # on to the next chapter, in the same warm process
        wait_for("on to ch2 · graded at")
        send("q")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
