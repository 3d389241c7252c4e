"""Progress state and hint escalation, on real grades of the fixture apps."""

import json
from pathlib import Path

import pytest

from grader import hints, progress, runner
from grader.manifest import Chapter

APPS = Path(__file__).parent / "fixtures" / "apps"
FIXTURE = Chapter(id="ch99", slug="fixture", title="Fixture", app="app",
                  hints=("Chapter hint A.", "Return the greeting from the view for /."),
                  extra={"checks": str(Path(__file__).parent / "fixtures" / "checks_basic.py")})


@pytest.fixture(scope="module")
def docs():
    return {name: runner.grade(FIXTURE, APPS / name) for name in ("wrong", "good", "syntax")}


def test_record_keeps_the_best_and_the_last(tmp_path, docs):
    state = tmp_path / "p.json"
    progress.record(docs["wrong"], state)
    progress.record(docs["good"], state)
    progress.record(docs["wrong"], state)
    entry = progress.load(state)["chapters"]["ch99"]
    assert entry["last"]["score"] == 3 and entry["last"]["status"] == "fail"
    assert entry["best"]["score"] == 6 and entry["best"]["status"] == "pass"
    assert progress.passed("ch99", state)


def test_a_broken_state_file_is_kept_aside_not_overwritten(tmp_path, docs, capsys):
    state = tmp_path / "p.json"
    state.write_text("{ not json")
    progress.record(docs["good"], state)
    aside = list(tmp_path.glob("p.json.broken-*"))
    assert len(aside) == 1 and aside[0].read_text() == "{ not json"
    assert "could not be read" in capsys.readouterr().err
    assert progress.passed("ch99", state)


def test_hints_climb_for_the_same_failure_then_stay_on_the_last(tmp_path, docs):
    state = tmp_path / "p.json"
    seen = [hints.next_hint(docs["wrong"], FIXTURE, state) for _ in range(5)]
    assert {h.check for h in seen} == {"test_home"}
    # Per-check hints first, then the chapter's own, without repeating one already given.
    assert [h.text for h in seen] == [
        "Return the greeting from the view for /.", "Exactly 'Hello, Flasklings!'",
        "Chapter hint A.", "Chapter hint A.", "Chapter hint A."]
    assert [h.number for h in seen] == [1, 2, 3, 3, 3] and seen[-1].last
    text = hints.render(seen[-1], docs["wrong"])
    assert "Hint 3 of 3: Chapter hint A." in text and "the last hint there is" in text
    saved = json.loads(state.read_text())["hints"]["ch99"]["test_home"]
    assert saved["shown"] == 5 and "does not contain" in saved["failure"]


def test_a_different_failure_starts_from_the_first_hint(tmp_path, docs):
    state = tmp_path / "p.json"
    hints.next_hint(docs["wrong"], FIXTURE, state)
    assert hints.next_hint(docs["wrong"], FIXTURE, state).number == 2
    changed = json.loads(json.dumps(docs["wrong"]))
    changed["tests"][0]["message"] = "GET / answered 500, expected 200"
    assert hints.next_hint(changed, FIXTURE, state).number == 1


def test_passing_the_check_forgets_its_hint_count(tmp_path, docs):
    state = tmp_path / "p.json"
    hints.next_hint(docs["wrong"], FIXTURE, state)
    hints.next_hint(docs["wrong"], FIXTURE, state)
    progress.record(docs["good"], state)
    assert hints.next_hint(docs["wrong"], FIXTURE, state).number == 1


def test_no_hint_when_everything_passes(tmp_path, docs):
    assert hints.next_hint(docs["good"], FIXTURE, tmp_path / "p.json") is None
    assert "no hint needed" in hints.render(None, docs["good"])


def test_an_app_that_does_not_start_gets_the_startup_problem_and_chapter_hints(tmp_path, docs):
    hint = hints.next_hint(docs["syntax"], FIXTURE, tmp_path / "p.json")
    assert hint.check == hints.STARTUP
    assert hint.text == "Chapter hint A."
    text = hints.render(hint, docs["syntax"])
    assert "Your app does not start — Syntax error" in text
    assert "app.py" in text  # the location from the outcome's detail


def test_list_shows_bars_and_the_next_chapter(tmp_path, docs):
    chapters = [Chapter(id="ch1", slug="a", title="One"), FIXTURE,
                Chapter(id="ch100", slug="c", title="Last")]
    state = tmp_path / "p.json"
    progress.record(docs["good"], state)
    first = dict(docs["wrong"], chapter="ch1")
    progress.record(first, state)
    text = progress.render_list(chapters, progress.load(state))
    assert "1 of 3 chapters passed" in text
    assert "✗ ch1" in text and "3/6" in text and "[##########----------]" in text
    assert "✓ ch99" in text and "[####################] 6/6" in text
    assert "not graded yet" in text
    assert "Next: ch1 · One" in text and "python -m grader watch ch1" in text


def test_concurrent_writers_lose_no_update(tmp_path):
    import threading

    state = tmp_path / "p.json"

    def ask():
        for _ in range(15):
            progress.hint_step("ch99", "test_home", "same failure", state)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert progress.load(state)["hints"]["ch99"]["test_home"]["shown"] == 45


def test_an_unwritable_state_file_warns_and_grading_goes_on(tmp_path, docs, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state folder should be")
    state = blocker / "progress.json"
    progress.record(docs["wrong"], state)
    hint = hints.next_hint(docs["wrong"], FIXTURE, state)
    assert hint.number == 1
    err = capsys.readouterr().err
    assert "could not save your progress" in err and "could not remember" in err
