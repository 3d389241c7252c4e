"""The course's chapters, from the same manifest and markdown sources as the notebooks."""

from __future__ import annotations

import functools
from pathlib import Path

import markdown
from flask import current_app
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

from grader import manifest
from grader.manifest import Chapter


def all_chapters() -> list[Chapter]:
    path = current_app.config.get("COURSE_MANIFEST")
    return _load(str(path) if path else "")


@functools.lru_cache(maxsize=4)
def _load(path: str) -> list[Chapter]:
    return manifest.load(Path(path)) if path else manifest.load()


def find(chapter_id: str) -> Chapter | None:
    """Return the chapter ``chapter_id``, or None when the course has none by that name."""
    try:
        return manifest.find(chapter_id, all_chapters())
    except manifest.UnknownChapter:
        return None


def render(chapter: Chapter) -> Markup | None:
    """Render the chapter's markdown source to HTML with highlighted code, or None if missing."""
    try:
        text = chapter.source.read_text(encoding="utf-8")
    except OSError:
        return None
    return Markup(_render(text))


@functools.lru_cache(maxsize=32)
def _render(text: str) -> str:
    # The source is ours (the course repository), not a student's: no sanitising needed.
    return markdown.markdown(text, extensions=["fenced_code", "codehilite", "tables", "toc"],
                             extension_configs={"codehilite": {"guess_lang": False}})


@functools.lru_cache(maxsize=1)
def pygments_css() -> str:
    return HtmlFormatter(style="friendly").get_style_defs(".codehilite")
