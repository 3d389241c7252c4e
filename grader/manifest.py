"""Read course/course.toml: the one list of chapters."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "course" / "course.toml"


class ManifestError(ValueError):
    """course/course.toml cannot be read or lists something twice."""


class UnknownChapter(LookupError):
    """A chapter name that is not in the manifest."""


@dataclass(frozen=True)
class Chapter:
    id: str
    slug: str
    title: str
    app: str = "linkly"
    server: str = "werkzeug"
    workers: int = 2
    points: int = 0
    todo_files: tuple[str, ...] = ()
    skeleton_fails: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def number(self) -> int:
        return int(self.id[2:])

    @property
    def exercise_dir(self) -> Path:
        return ROOT / "exercises" / self.slug

    @property
    def solution_dir(self) -> Path:
        return ROOT / "solutions" / self.slug

    @property
    def checks_file(self) -> Path:
        if "checks" in self.extra:  # the grader's own tests point chapters at fixture checks
            return Path(self.extra["checks"])
        return ROOT / "grader" / "checks" / f"{self.slug}.py"

    @property
    def notebook(self) -> Path:
        return ROOT / "notebooks" / f"{self.slug}.ipynb"

    @property
    def source(self) -> Path:
        return ROOT / "course" / f"{self.slug}.md"


_KNOWN = {f for f in Chapter.__dataclass_fields__ if f != "extra"}


def load(path: Path = MANIFEST) -> list[Chapter]:
    """Return every chapter in the manifest, sorted by number."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from None
    chapters = []
    for entry in data.get("chapter", []):
        known = {k: v for k, v in entry.items() if k in _KNOWN}
        for key in ("todo_files", "skeleton_fails", "hints"):
            known[key] = tuple(known.get(key, ()))
        extra = {k: v for k, v in entry.items() if k not in _KNOWN}
        if not re.fullmatch(r"ch[1-9][0-9]*", known.get("id", "")):
            raise ManifestError(f"{path}: bad chapter id {entry.get('id')!r}")
        chapters.append(Chapter(**known, extra=extra))
    for key in ("id", "slug"):
        seen = [getattr(c, key) for c in chapters]
        twice = sorted({v for v in seen if seen.count(v) > 1})
        if twice:
            raise ManifestError(f"{path}: chapter {key} listed more than once: {', '.join(twice)}")
    chapters.sort(key=lambda c: c.number)
    return chapters


def find(name: str, chapters: list[Chapter] | None = None) -> Chapter:
    """Return the chapter called ``name``: 'ch3', 'ch03', '3' and the slug all work."""
    chapters = load() if chapters is None else chapters
    text = name.strip().lower()
    m = re.fullmatch(r"(?:ch)?0*([0-9]+)", text)
    for chapter in chapters:
        if text == chapter.slug or (m and int(m.group(1)) == chapter.number):
            return chapter
    known = ", ".join(f"{c.id} ({c.title})" for c in chapters)
    raise UnknownChapter(f"no chapter called {name!r}. The chapters are: {known}")


def display(path) -> str:
    """Show ``path`` relative to the course folder when it is inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
