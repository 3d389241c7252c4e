"""Watch mode: a save re-grades in the same warm process; keys drive hints, re-runs and quit."""

import gc
import io
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
import watchfiles

from grader import runner, watch
from grader.manifest import Chapter

APPS = Path(__file__).parent / "fixtures" / "apps"
CHECKS = Path(__file__).parent / "fixtures" / "checks_basic.py"
FIXTURE = Chapter(id="ch99", slug="fixture", title="Fixture", app="app",
                  hints=("Chapter-level hint.",), extra={"checks": str(CHECKS)})
WAIT = 20.0


class Screen(io.StringIO):
    """What watch mode drew, safe to read while the watch thread writes."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text):
        with self.lock:
            return super().write(text)

    def text(self) -> str:
        with self.lock:
            return self.getvalue()

    def scores(self) -> list[str]:
        return re.findall(r"Score (\d+/\d+)", self.text())

    def wait_for(self, predicate, what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not predicate(self):
            assert time.monotonic() < deadline, f"watch mode never showed {what}:\n{self.text()}"
            time.sleep(0.01)


class Keys:
    """A pipe standing in for the keyboard: each send() is one line, as when piped."""

    def __init__(self):
        r, w = os.pipe()
        self.reader = os.fdopen(r, "r")
        self.writer = os.fdopen(w, "w")

    def send(self, key: str) -> None:
        self.writer.write(key + "\n")
        self.writer.flush()


def start_watch(folder, state, **kw):
    screen, keys, done = Screen(), Keys(), {}

    def target():
        done["rc"] = watch.run(FIXTURE, folder, keys=keys.reader, out=screen, record=True,
                               colour=False, state=state, follow=False, **kw)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return screen, keys, thread, done


def stop_watch(keys, thread, done):
    keys.send("q")
    thread.join(WAIT)
    assert not thread.is_alive(), "q did not end watch mode"
    assert done["rc"] == 0


@pytest.mark.parametrize("poll", [False, True], ids=["file-events", "polling"])
def test_a_save_regrades_and_redraws_the_verdict(tmp_path, poll):
    app = tmp_path / "app"
    shutil.copytree(APPS / "wrong", app)
    state = tmp_path / "progress.json"
    screen, keys, thread, done = start_watch(app, state, poll=poll)
    try:
        screen.wait_for(lambda s: s.scores() == ["3/6"], "the first verdict")
        assert "[h] hint" in screen.text() and "[q] quit" in screen.text()
        # Focus: only the first failing check is shown in full.
        assert "Hint: Return the greeting" in screen.text()
        assert "Look at the converter" not in screen.text()
        time.sleep(0.2)  # let the watcher settle before the save
        (app / "app.py").write_text((APPS / "good" / "app.py").read_text())
        screen.wait_for(lambda s: len(s.scores()) >= 2, "a re-grade after the save")
        assert screen.scores()[-1] == "6/6"
        assert "saved app.py" in screen.text()
        assert "All checks pass!" in screen.text() and "[n] next" not in screen.text()
    finally:
        stop_watch(keys, thread, done)
    assert '"best"' in state.read_text() and '"score": 6' in state.read_text()


def test_hint_key_climbs_and_r_reruns(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(APPS / "wrong", app)
    state = tmp_path / "progress.json"
    screen, keys, thread, done = start_watch(app, state)
    try:
        screen.wait_for(lambda s: "first run · graded at" in s.text(), "the first verdict")
        keys.send("h")
        screen.wait_for(lambda s: "Hint 1 of 3" in s.text(), "the first hint")
        assert "(press h)" in screen.text()
        keys.send("h")
        screen.wait_for(lambda s: "Hint 2 of 3: Exactly 'Hello, Flasklings!'" in s.text(),
                        "the second, more specific hint")
        keys.send("h")
        screen.wait_for(lambda s: "Hint 3 of 3: Chapter-level hint." in s.text(),
                        "the chapter-level hint last")
        keys.send("r")
        screen.wait_for(lambda s: "re-run · graded at" in s.text(), "a re-run on r")
        keys.send("l")  # the list reads the real manifest; it must draw, not crash
        screen.wait_for(lambda s: "chapters passed" in s.text(), "the chapter list")
    finally:
        stop_watch(keys, thread, done)


def test_runtime_files_of_the_app_do_not_trigger_a_grade():
    keep = watch.change_filter()
    assert keep(watchfiles.Change.modified, "/x/linkly/views.py")
    assert keep(watchfiles.Change.added, "/x/linkly/templates/base.html")
    assert not keep(watchfiles.Change.modified, "/x/instance/linkly.sqlite")
    assert not keep(watchfiles.Change.modified, "/x/linkly.db")
    assert not keep(watchfiles.Change.modified, "/x/linkly.db-journal")
    assert not keep(watchfiles.Change.added, "/x/linkly/__pycache__/views.cpython-311.pyc")
    assert not keep(watchfiles.Change.modified, "/x/linkly/.views.py.swp")


def test_without_file_events_the_r_key_still_regrades(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("OS file watch limit reached")
        yield  # pragma: no cover - makes this a generator like watchfiles.watch

    monkeypatch.setattr(watchfiles, "watch", broken)
    app = tmp_path / "app"
    shutil.copytree(APPS / "wrong", app)
    screen, keys, thread, done = start_watch(app, tmp_path / "progress.json")
    try:
        screen.wait_for(lambda s: "file events are not available here" in s.text(),
                        "the fallback notice")
        assert "press r" in screen.text()
        (app / "app.py").write_text((APPS / "good" / "app.py").read_text())
        keys.send("r")
        screen.wait_for(lambda s: s.scores()[-1:] == ["6/6"], "the manual re-run")
    finally:
        stop_watch(keys, thread, done)


def _settled_counts(timeout: float = 3.0) -> tuple:
    """Count modules, open fds and threads once they stop changing.

    Earlier tests' watch threads and collected sockets can still be closing when this test
    starts: count what stays held, not what is on its way out.
    """
    def now():
        gc.collect()
        return (len(sys.modules), len(os.listdir("/proc/self/fd")), threading.active_count())

    last, same, end = now(), 0, time.monotonic() + timeout
    while same < 3 and time.monotonic() < end:
        time.sleep(0.1)
        current = now()
        same = same + 1 if current == last else 0
        last = current
    return last


def test_repeated_in_process_grades_do_not_leak_modules_and_see_edited_checks(tmp_path):
    checks = tmp_path / "checks_edit.py"
    checks.write_text(CHECKS.read_text())
    chapter = Chapter(id="ch99", slug="fixture", title="Fixture", app="app",
                      extra={"checks": str(checks)})
    runner.grade(chapter, APPS / "good")
    counts = []
    for _ in range(3):
        watch.forget_checks(chapter)
        doc = runner.grade(chapter, APPS / "good")
        assert doc["status"] == "pass"
        counts.append(_settled_counts())
    assert counts[0] == counts[1] == counts[2], f"modules, fds, threads grew: {counts}"
    checks.write_text(CHECKS.read_text().replace("The home page greets Flasklings.",
                                                 "An edited title"))
    watch.forget_checks(chapter)
    doc = runner.grade(chapter, APPS / "good")
    assert doc["tests"][0]["title"] == "An edited title"


def test_a_folder_swapped_in_by_reset_is_watched(tmp_path):
    import queue

    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "app.py").write_text("one")
    events: queue.Queue = queue.Queue()
    watcher = watch.Watcher(folder, events)
    try:
        time.sleep(0.3)
        fresh = tmp_path / "fresh"
        fresh.mkdir()
        (fresh / "app.py").write_text("skeleton")
        folder.rename(tmp_path / "old")  # what `python -m grader reset` does
        fresh.rename(folder)
        assert events.get(timeout=WAIT)[0] == "change"
        time.sleep(0.3)
        while not events.empty():
            events.get_nowait()
        (folder / "app.py").write_text("student's next save")
        kind, (_, _, paths) = events.get(timeout=WAIT)
        assert kind == "change" and str(folder / "app.py") in paths
    finally:
        watcher.stop()
