"""Compare your app with the reference solution, once you pass: ``python -m grader solution ch3``.

The reference stays closed until the chapter passes (on record in the progress file, or in a
grade run now), so it is a second opinion on working code rather than a shortcut past the work.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from grader import manifest, progress, report

# Files the app or Python writes while running: never part of the comparison.
SKIP_DIRS = {"__pycache__", "instance", ".pytest_cache", ".ipynb_checkpoints"}
SKIP_SUFFIXES = (".pyc", ".db", ".sqlite", ".sqlite3", ".log")


def app_files(folder: Path) -> set[str]:
    """Return the paths of the app's own files under ``folder``, relative to it."""
    if not folder.is_dir():
        return set()
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(folder).parts)
        and not p.name.endswith(SKIP_SUFFIXES)
    }


def _lines(path: Path) -> list[str] | None:
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except (UnicodeDecodeError, OSError):
        return None


def render_diff(chapter: manifest.Chapter, folder: Path, paint=None) -> str:
    """Return a unified diff from the student's ``folder`` to the reference ('' if equal)."""
    paint = paint or report.Painter(False)
    folder, ref = Path(folder), chapter.solution_dir
    out: list[str] = []
    for name in sorted(app_files(folder) | app_files(ref)):
        mine, theirs = folder / name, ref / name
        if not mine.exists():
            out.append(paint(f"only in the reference: {name}", "yellow"))
            continue
        if not theirs.exists():
            out.append(paint(f"only in your app: {name}", "dim"))
            continue
        a, b = _lines(mine), _lines(theirs)
        if a is None or b is None:
            if mine.read_bytes() != theirs.read_bytes():
                out.append(paint(f"{name}: binary files differ", "dim"))
            continue
        for line in difflib.unified_diff(a, b, f"your {name}", f"reference {name}", n=3):
            line = line.rstrip("\n")
            if line.startswith(("---", "+++")):
                out.append(paint(line, "bold"))
            elif line.startswith("@@"):
                out.append(paint(line, "cyan"))
            elif line.startswith("+"):
                out.append(paint(line, "green"))
            elif line.startswith("-"):
                out.append(paint(line, "red"))
            else:
                out.append(line)
    return "\n".join(out) + "\n" if out else ""


def main(argv: list[str]) -> int:
    """Show the diff from the student's app to the reference, only after a pass."""
    from grader.cli import find_chapter, parse

    parser = argparse.ArgumentParser(
        prog="python -m grader solution",
        description="After you pass a chapter, show how your app differs from the reference.")
    parser.add_argument("chapter", help="chapter: ch1, ch01 or 1")
    parser.add_argument("--no-color", action="store_true", help="plain text, no colour")
    args = parse(parser, argv)
    chapter = find_chapter(args.chapter)
    if not chapter.solution_dir.is_dir():
        print(f"grader: this copy of the course has no reference for {chapter.id} "
              f"({manifest.display(chapter.solution_dir)} is missing)", file=sys.stderr)
        return 1
    if not progress.passed(chapter.id):
        # No pass on record: maybe they passed in the notebook or never graded; grade now.
        from grader import runner

        doc = runner.grade(chapter, chapter.exercise_dir)
        progress.record(doc)
        if doc["status"] != "pass":
            print(f"The reference for {chapter.id} opens once your app passes every check; "
                  f"right now it scores {doc['score']}/{doc['max_score']}.\n"
                  f"Keep going: `python -m grader watch {chapter.id}`, and "
                  f"`python -m grader hint {chapter.id}` when stuck.")
            return 1
    paint = report.Painter(False if args.no_color else report.use_colour())
    diff = render_diff(chapter, chapter.exercise_dir, paint)
    if not diff:
        print(f"Your {chapter.id} app matches the reference file for file.")
        return 0
    print(paint(f"Your app ({manifest.display(chapter.exercise_dir)}) against the reference "
                f"({manifest.display(chapter.solution_dir)}). Both pass: a difference is another "
                f"way to do it, not a mistake.", "bold"))
    sys.stdout.write(report.fit_encoding(diff))
    return 0
