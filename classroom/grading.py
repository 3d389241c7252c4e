"""The one place the classroom calls the grader, so the sandbox is switched on here."""

from __future__ import annotations

from pathlib import Path

from grader import runner
from grader.manifest import Chapter


def hidden_checks(folder: str | Path | None, chapter: Chapter) -> list[Path]:
    """Return the instructor's hidden check files for ``chapter`` (``<folder>/<chN>/*.py``)."""
    if not folder:
        return []
    return sorted(p for p in (Path(folder) / chapter.id).glob("*.py") if p.is_file())


def grade(chapter: Chapter, folder: Path, hidden_dir: str | Path | None) -> dict:
    """Grade the unpacked submission in ``folder`` with the public and hidden checks."""
    return runner.grade(chapter, folder, extra_checks=hidden_checks(hidden_dir, chapter))
