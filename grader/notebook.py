"""Grade a chapter from inside its notebook: ``from grader.notebook import check; check("ch1")``."""

from __future__ import annotations

import html

from grader import manifest, report, runner


class Report:
    """A results document that shows as HTML in Jupyter and as text elsewhere."""

    def __init__(self, doc: dict):
        self.doc = doc

    def __repr__(self) -> str:
        return report.render(self.doc, colour=False)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(report.render(self.doc, colour=False))}</pre>"


def check(chapter: str, path: str | None = None) -> Report:
    """Grade ``chapter``'s exercise (or the app in ``path``) and return the report."""
    chap = manifest.find(chapter)
    return Report(runner.grade(chap, path or chap.exercise_dir))
