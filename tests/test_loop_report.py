"""The report for people (terminal and notebook) and for machines (JUnit XML)."""

import io
import json
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from grader import junit, notebook, report, runner
from grader.manifest import ROOT, Chapter

APPS = Path(__file__).parent / "fixtures" / "apps"
FIXTURE = Chapter(id="ch99", slug="fixture", title="Fixture", app="app",
                  extra={"checks": str(Path(__file__).parent / "fixtures" / "checks_basic.py")})


@pytest.fixture(scope="module")
def docs():
    return {name: runner.grade(FIXTURE, APPS / name) for name in ("wrong", "good", "syntax")}


def test_plain_text_has_no_escape_codes_and_colour_has_them(docs):
    plain = report.render(docs["wrong"], colour=False, width=90)
    assert "\x1b[" not in plain
    assert "✗ The home page greets Flasklings." in plain
    assert "Score 3/6" in plain and "3 of 5 checks pass" in plain
    coloured = report.render(docs["wrong"], colour=True, width=90)
    assert "\x1b[31m✗\x1b[0m" in coloured


def test_not_a_terminal_means_no_colour(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert report.use_colour(io.StringIO()) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert report.use_colour(io.StringIO()) is True


def test_focus_shows_only_the_first_failure_in_full(docs):
    full = report.render(docs["wrong"], colour=False)
    focus = report.render(docs["wrong"], colour=False, focus=True)
    assert "KeyError: 3" in full and "KeyError: 3" not in focus
    assert "Hint: Return the greeting" in focus
    assert "✗ An item answers JSON with its number." in focus


def test_long_messages_wrap_to_the_width():
    doc = {"chapter": "ch9", "title": "T", "folder": "f", "status": "fail", "score": 0,
           "max_score": 1, "duration_s": 0.1, "outcome": None,
           "tests": [{"name": "t", "title": "A check", "status": "fail", "score": 0,
                      "points": 1, "message": "word " * 40, "hint": "tip " * 40}]}
    text = report.render(doc, colour=False, width=60)
    assert all(len(line) <= 60 for line in text.splitlines()), text


def test_an_ascii_console_gets_ascii_marks(docs):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    text = report.fit_encoding(report.render(docs["wrong"], colour=False), stream)
    text.encode("ascii")
    assert "x The home page greets Flasklings." in text and "+ The slow page" in text


def test_junit_counts_failures_and_errors_and_parses(docs):
    root = ET.fromstring(junit.to_xml(docs["wrong"]).encode())
    suite = root.find("testsuite")
    assert suite.get("tests") == "5" and suite.get("failures") == "2"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    home = cases["test_home"].find("failure")
    assert "does not contain 'Hello, Flasklings!'" in home.get("message")
    assert "Hint: Return the greeting" in home.text
    assert "KeyError: 3" in cases["test_item"].find("failure").text
    assert cases["test_slow"].find("failure") is None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["score"] == "3" and props["max_score"] == "6"


def test_junit_survives_control_characters_and_a_start_failure(docs):
    doc = json.loads(json.dumps(docs["wrong"]))
    doc["tests"][0]["message"] = "colour \x1b[31mred\x1b[0m and a NUL \x00"
    root = ET.fromstring(junit.to_xml(doc).encode())
    assert "\\x1b[31mred" in root.find(".//failure").get("message")
    root = ET.fromstring(junit.to_xml(docs["syntax"]).encode())
    suite = root.find("testsuite")
    assert suite.get("errors") == "5"
    assert "Syntax error" in suite.find("system-err").text


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ("progress",):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "progress":
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_notebook_html_is_balanced_and_escaped(docs):
    rep = notebook.Report(docs["wrong"])
    page = rep._repr_html_()
    tags = _Tags()
    tags.feed(page)
    tags.close()
    assert tags.stack == []
    text = "".join(tags.text)
    assert "✗" in text and "Score 3/6" in text and "KeyError: 3" in text
    assert "<script" not in page and "\x1b[" not in page
    assert "python -m grader hint ch99" in text
    assert repr(rep) == report.render(docs["wrong"], colour=False)


def test_notebook_check_reports_instead_of_raising(monkeypatch):
    unknown = notebook.check("ch999")
    assert unknown.doc["status"] == "error" and "no chapter called" in repr(unknown)

    def boom(*args, **kwargs):
        raise RuntimeError("the checks could not be collected")

    monkeypatch.setattr(runner, "grade", boom)
    broken = notebook.check("ch1", path=str(ROOT / "solutions" / "ch01_wsgi"))
    assert broken.doc["outcome"]["kind"] == "grader_error"
    assert "could not be collected" in broken._repr_html_()


def test_notebook_check_grades_like_the_cli():
    import subprocess
    import sys

    folder = ROOT / "solutions" / "ch01_wsgi"
    rep = notebook.check("ch1", path=str(folder))
    cli = subprocess.run([sys.executable, "-m", "grader", "ch1", "--path", str(folder), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    doc = json.loads(cli.stdout)
    assert rep.passed and doc["status"] == "pass"
    assert [(t["name"], t["status"], t["score"]) for t in rep.doc["tests"]] == \
        [(t["name"], t["status"], t["score"]) for t in doc["tests"]]
    broken = notebook.check("ch1", path=str(APPS / "syntax"))
    assert broken.doc["status"] == "error" and "None of the" in repr(broken)
