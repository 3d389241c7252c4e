"""The one place the classroom calls the grader, so how submissions are isolated is set here."""

from __future__ import annotations

import os
from pathlib import Path

from grader import runner
from grader.manifest import Chapter


def hidden_checks(folder: str | Path | None, chapter: Chapter) -> list[Path]:
    """Return the instructor's hidden check files for ``chapter`` (``<folder>/<chN>/*.py``)."""
    if not folder:
        return []
    return sorted(p for p in (Path(folder) / chapter.id).glob("*.py") if p.is_file())


def grade(chapter: Chapter, folder: Path, hidden_dir: str | Path | None,
          sandbox: str = "required") -> dict:
    """Grade the unpacked submission in ``folder`` with the public and hidden checks."""
    # Each job runs in its own process (a child of the pool, or RQ's work horse), so setting
    # the grader's sandbox mode here touches no other grade, and reaches every copy of the app and
    # test suite the checks start. "auto" uses every isolation layer
    # the machine offers; "required" refuses to grade without them (grader/sandbox).
    os.environ["FLASKLINGS_SANDBOX"] = sandbox
    return runner.grade(chapter, folder, extra_checks=hidden_checks(hidden_dir, chapter))
