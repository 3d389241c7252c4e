"""The pytest plugin behind a grade: fixtures that reach the live app, and result collection.

Fixtures a check can use:
  client     a RecordingClient on the chapter's live app (fresh cookies per check)
  base_url   the live app's URL
  live_app   the LiveApp itself (its ``output()`` is the app's log so far)
  start_app  start another copy of the app: start_app(env={...}, target=..., server=...,
             instance_files={"config.py": "..."}); each copy gets its own fresh instance
             folder (Flask's app.instance_path), holding instance_files; an env value of
             None removes that variable
  app_dir    the folder being graded (for checks that read files, such as a Dockerfile)
  chapter    the manifest's Chapter
"""

from __future__ import annotations

import subprocess
import time
import types
from pathlib import Path

import pytest

from grader.checking import CheckFailed
from grader.client import AppUnreachable, RecordingClient, RequestHung
from grader.liveapp import LiveApp, StartupError, app_env
from grader.manifest import Chapter
from grader.sandbox import outcome_of_error


class NotRun(Exception):
    """The check could not run because the app did not start."""


class GraderPlugin:
    """Own the live app for one grade and turn each check into a result record."""

    def __init__(self, app: LiveApp, chapter: Chapter, folder: Path, scratch: Path):
        self.scratch = scratch
        self.app = app
        self._chapter = chapter
        self.folder = folder
        self.startup_error: StartupError | None = None
        self._started = False
        self.results: list[dict] = []
        self._exchanges: list[dict] = []
        self._extra_apps: list[LiveApp] = []
        self._current: dict | None = None
        self._stashed_events: list[dict] = []
        self.notes: list[str] = []

    # -- the live app ---------------------------------------------------------------------
    def _ensure_app(self) -> LiveApp:
        if not self._started:
            self._started = True
            try:
                self.app.wait_ready()
                self._note(self.app)
            except StartupError as err:
                self.startup_error = err
        if self.startup_error is not None:
            raise NotRun(f"not run: {self.startup_error.message}")
        if not self.app.alive():
            # An earlier check crashed the app; give the next check a fresh copy.
            self.app.stop()
            fresh = self.app.fresh()  # same settings, sandbox mode and limits included
            try:
                fresh.start()
            except StartupError as err:
                fresh.cleanup()
                raise NotRun(f"not run: the app could not be restarted ({err.message})")
            self.app.cleanup()
            self.app = fresh
        return self.app

    def session_fixtures(self) -> types.ModuleType:
        """Return a plugin with the session-wide fixtures ``chapter`` and ``app_dir``.

        They live on a module object, not on this class: pytest is dropping session-scoped
        fixtures defined as instance methods, and checks use them from module-scoped fixtures.
        """
        module = types.ModuleType("flasklings_session_fixtures")

        @pytest.fixture(scope="session", name="chapter")
        def chapter() -> Chapter:
            return self._chapter

        @pytest.fixture(scope="session", name="app_dir")
        def app_dir() -> Path:
            return self.folder

        module.chapter, module.app_dir = chapter, app_dir
        return module

    @pytest.fixture
    def live_app(self) -> LiveApp:
        return self._ensure_app()

    @pytest.fixture
    def base_url(self, live_app: LiveApp) -> str:
        return live_app.base_url

    @pytest.fixture
    def client(self, live_app: LiveApp) -> RecordingClient:
        with RecordingClient(live_app.base_url, self._exchanges) as session:
            yield session

    @pytest.fixture
    def start_app(self):
        started: list[LiveApp] = []

        def start(env=None, target=None, server=None, workers=None, folder=None,
                  instance_files=None) -> LiveApp:
            where = Path(folder or self.folder)
            app_environ = app_env(self._chapter, where, self.scratch, env)
            instance = Path(app_environ["FLASKLINGS_INSTANCE"])
            for name, text in (instance_files or {}).items():
                (instance / name).parent.mkdir(parents=True, exist_ok=True)
                (instance / name).write_text(text, encoding="utf-8")
            app = LiveApp(where, target or self._chapter.app, app_environ,
                          server or self._chapter.server, workers or self._chapter.workers)
            started.append(app)
            self._extra_apps.append(app)
            app.start()
            app.client = lambda: RecordingClient(app.base_url, self._exchanges)
            return app

        yield start
        for app in started:
            # Read what the copy reported before its files go: logfinish runs after teardown.
            if app.proc is not None:
                self._stashed_events.extend(app.new_events())
            self._note(app)
            app.cleanup()

    # -- hooks ----------------------------------------------------------------------------
    def pytest_runtest_setup(self, item):
        meta = getattr(item.obj, "flasklings", {"points": 1, "hints": []})
        doc = (item.obj.__doc__ or item.name).strip().splitlines()[0].strip()
        self._exchanges.clear()
        self._current = {
            "name": item.name,
            "title": doc,
            "status": "pass",
            "message": "",
            "hint": meta["hints"][0] if meta["hints"] else "",
            "hints": meta["hints"],
            "points": meta["points"],
            "score": 0,
            "outcome": None,
            "started": time.perf_counter(),
        }
        if self.startup_error is not None:
            raise NotRun(f"not run: {self.startup_error.message}")

    def pytest_collection_finish(self, session):
        """Wait for the app before the first check: an app that cannot start runs no check."""
        try:
            self._ensure_app()
        except NotRun:
            pass

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        cur = self._current
        if cur is None or report.passed or cur["status"] != "pass":
            return report
        exc = call.excinfo.value if call.excinfo else None
        cur.update(self._describe(exc, report))
        return report

    def _describe(self, exc, report) -> dict:
        if isinstance(exc, CheckFailed):
            return {"status": "fail", "message": exc.message, "expected": exc.expected,
                    "actual": exc.actual}
        if isinstance(exc, AssertionError):
            msg = str(exc).strip() or "an expectation of this check was not met"
            return {"status": "fail", "message": msg}
        if isinstance(exc, NotRun):
            return {"status": "error", "outcome": "not_run", "message": str(exc)}
        if isinstance(exc, RequestHung):
            return {"status": "error", "outcome": "timeout", "message": str(exc),
                    "stuck_request": exc.request_id}
        if isinstance(exc, AppUnreachable):
            return {"status": "error", "outcome": "unreachable", "message": str(exc)}
        if isinstance(exc, StartupError):
            return {"status": "fail", "outcome": exc.kind,
                    "message": f"a copy of the app started for this check did not start: "
                               f"{exc.message}", "detail": exc.detail, "output": exc.output}
        text = report.longreprtext.strip().splitlines()
        return {"status": "error", "outcome": "check_error",
                "message": f"the check itself failed: {text[-1] if text else exc!r}"}

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logfinish(self, nodeid, location):
        cur = self._current
        if cur is None:
            return
        self._current = None
        apps = [self.app] + self._extra_apps
        if cur.get("stuck_request"):
            for app in apps:
                app.dump_stacks()
        events, self._stashed_events = self._stashed_events, []
        for app in apps:
            if app.proc is not None:
                events.extend(app.new_events())
        self._extra_apps = [a for a in self._extra_apps if a.alive()]
        ids = {e["request_id"] for e in self._exchanges}
        mine = [e for e in events if e.get("request") in ids]
        crashes = [e["traceback"] for e in mine if e["event"] == "exception"]
        stacks = [e["stack"] for e in mine
                  if e["event"] == "stack" and e.get("request") == cur.get("stuck_request")]
        limits = [outcome_of_error(e.get("error", "")) for e in mine if e["event"] == "exception"]
        if any(limits) and cur["status"] != "pass" and cur["outcome"] in (None, "check_error"):
            cur["outcome"] = [k for k in limits if k][-1]  # a sandbox limit, not a plain bug
        if cur.get("outcome") == "unreachable" and self.app.proc is not None:
            # A dropped connection usually means the app just died: let it be reaped first.
            try:
                self.app.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        if (self._started and self.startup_error is None and self.app.proc is not None
                and not self.app.alive()):
            cur["status"] = "error" if cur["status"] == "pass" else cur["status"]
            cur["outcome"], why = self.app.death()
            cur["message"] = why + (f"; {cur['message']}" if cur["message"] else "")
            cur["output"] = self.app.output()
        if cur["status"] == "pass":
            cur["score"] = cur["points"]
            cur["hint"] = ""
        else:
            cur["exchanges"] = list(self._exchanges)
            if crashes:
                cur["server_traceback"] = crashes[-1]
            if stacks:
                cur["stuck_at"] = stacks[-1]
        cur["requests"] = len(self._exchanges)
        cur.pop("stuck_request", None)
        cur["duration_s"] = round(time.perf_counter() - cur.pop("started"), 3)
        self.results.append(cur)

    def _note(self, app: LiveApp) -> None:
        for note in app.notes:
            if note not in self.notes:
                self.notes.append(note)

    def close(self) -> None:
        for app in self._extra_apps:
            app.cleanup()
        self.app.cleanup()
