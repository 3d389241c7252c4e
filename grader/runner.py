"""Grade one chapter: start the app, run the chapter's checks against it, build results."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

from grader import results
from grader.liveapp import LiveApp, app_env
from grader.manifest import ROOT, Chapter, display

CHECKS_INI = ROOT / "grader" / "checks" / "pytest.ini"
# pytest plugins checks never use; not loading them is a good part of a grade's start-up time.
UNUSED_PLUGINS = ("cacheprovider", "stepwise", "doctest", "junitxml", "pastebin", "debugging",
                  "legacypath", "setuponly", "setupplan", "nose", "faulthandler", "unittest",
                  "logging", "warnings", "threadexception", "unraisableexception")


@contextmanager
def _no_plugin_autoload():
    """Keep installed pytest plugins (playwright, benchmark...) out of a grade, for this call only.

    Set around the call rather than for the process, so the app copies and test suites a grade
    starts, and anything else this process runs later, see the environment they were given.
    """
    key = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
    before = os.environ.get(key)
    os.environ[key] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = before


def grade(chapter: Chapter, folder: Path, extra_checks: list[Path] = (),
          env: dict[str, str] | None = None, startup_timeout: float | None = None) -> dict:
    """Grade the app in ``folder`` against ``chapter``'s checks (plus ``extra_checks``)."""
    started = time.perf_counter()
    folder = Path(folder).resolve()
    if not folder.is_dir():
        return results.error_document(chapter, str(folder), "no_folder",
                                      f"there is no folder {folder}")
    scratch = Path(tempfile.mkdtemp(prefix="flasklings-run-"))
    app = LiveApp(folder, target=chapter.app, env=app_env(chapter, folder, scratch, env),
                  server=chapter.server, workers=chapter.workers)
    if startup_timeout is not None:
        app.startup_timeout = startup_timeout
    # Start the app first: it boots on the other core while we import pytest.
    app.spawn()
    plugin = None
    try:
        import pytest

        from grader.plugin import GraderPlugin

        plugin = GraderPlugin(app, chapter, folder, scratch)
        files = [str(chapter.checks_file)] + [str(p) for p in extra_checks]
        args = files + ["-c", str(CHECKS_INI), "--rootdir", str(CHECKS_INI.parent), "--noconftest",
                        "--import-mode=importlib", "-q", "--tb=no", "-W", "ignore"]
        for name in UNUSED_PLUGINS:
            args += ["-p", f"no:{name}"]
        sink = io.StringIO()
        with redirect_stdout(sink), redirect_stderr(sink), _no_plugin_autoload():
            code = pytest.main(args, plugins=[plugin, plugin.session_fixtures()])
        if code not in (0, 1) and not plugin.results:
            raise RuntimeError(f"the checks could not be collected:\n{sink.getvalue()[-3000:]}")
        return results.build(chapter, display(folder), plugin.results,
                             time.perf_counter() - started, plugin.startup_error, plugin.notes)
    finally:
        if plugin is not None:
            plugin.close()
        else:
            app.cleanup()
        shutil.rmtree(scratch, ignore_errors=True)
