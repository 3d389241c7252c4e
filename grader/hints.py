"""Show the next hint for the first failing check: ``python -m grader hint ch3``.

Hints come from the results document (each check's ``hints``, general to specific) followed by
the manifest's chapter-level hints; none live here. Asking again about the same failure shows
the next, more specific hint; the count is kept in the progress file.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from grader import manifest, progress

# Hints for an app that does not start are counted under this name instead of a check's.
STARTUP = "(app does not start)"


@dataclass
class Hint:
    """One hint to show: which failure it is about and how far up the ladder it is."""

    check: str
    title: str
    message: str
    text: str
    number: int
    total: int

    @property
    def last(self) -> bool:
        return self.number >= self.total


def first_failure(doc: dict) -> dict | None:
    """Return the first check that did not pass, in the order the checks ran."""
    return next((t for t in doc["tests"] if t["status"] != "pass"), None)


def ladder(test: dict | None, chapter: manifest.Chapter) -> list[str]:
    """Return the hints for ``test``, general to specific, then the chapter's general ones."""
    own = list(test.get("hints") or []) if test else []
    return own + [h for h in chapter.hints if h not in own]


def next_hint(doc: dict, chapter: manifest.Chapter, state: Path = progress.STATE) -> Hint | None:
    """Count one more ask and return the hint to show, or None when every check passes."""
    if doc.get("outcome"):
        out = doc["outcome"]
        name, title, message, hints = STARTUP, out["title"], out["message"], ladder(None, chapter)
    else:
        test = first_failure(doc)
        if test is None:
            return None
        name, title, message, hints = test["name"], test["title"], test["message"], \
            ladder(test, chapter)
    asked = progress.hint_step(chapter.id, name, f"{name}: {message}", state)
    if not hints:
        return Hint(name, title, message, "", 0, 0)
    number = min(asked, len(hints))
    return Hint(name, title, message, hints[number - 1], number, len(hints))


def render(hint: Hint | None, doc: dict, paint=None, again: str = "") -> str:
    """Return the hint as text for the terminal; ``again`` says how to ask for the next."""
    paint = paint or (lambda text, *styles: text)
    if hint is None:
        return (paint("Every check passes: no hint needed.", "green", "bold")
                + f" Compare with the reference: python -m grader solution {doc['chapter']}\n")
    lines = []
    if hint.check == STARTUP:
        lines.append(paint(f"Your app does not start — {hint.title}: ", "red", "bold")
                     + hint.message)
        detail = (doc.get("outcome") or {}).get("detail", "").strip()
        if detail:
            lines.extend("    " + line for line in detail.splitlines()[-8:])
        lines.append("Fix that first: no check can run until the app starts.")
    else:
        lines.append(paint("First failing check: ", "bold") + hint.title)
        lines.append(paint(f"  {hint.message}", "dim"))
    if hint.total == 0:
        lines.append("There is no written hint for this one: read the message above, then the "
                     "chapter's notebook.")
    else:
        lines.append(paint(f"Hint {hint.number} of {hint.total}: ", "yellow", "bold") + hint.text)
        if hint.last:
            lines.append(paint("That is the last hint there is. Once you pass, `python -m grader "
                               f"solution {doc['chapter']}` shows the reference to compare.",
                               "dim"))
        else:
            again = again or f"python -m grader hint {doc['chapter']}"
            lines.append(paint(f"Still stuck? Ask again for the next hint ({again}).",
                               "dim"))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Grade the chapter and show the next hint for its first failing check."""
    from grader import report, runner
    from grader.cli import existing_folder, find_chapter, parse

    parser = argparse.ArgumentParser(prog="python -m grader hint",
                                     description="Show a hint for the first failing check; "
                                                 "ask again for a more specific one.")
    parser.add_argument("chapter", help="chapter: ch1, ch01 or 1")
    parser.add_argument("--path", type=Path, help="grade the app in this folder instead")
    parser.add_argument("--no-color", action="store_true", help="plain text, no colour")
    args = parse(parser, argv)
    chapter = find_chapter(args.chapter)
    folder = existing_folder(args.path or chapter.exercise_dir)
    doc = runner.grade(chapter, Path(folder))
    if not args.path:
        progress.record(doc)
    paint = report.Painter(False if args.no_color else report.use_colour())
    sys.stdout.write(render(next_hint(doc, chapter), doc, paint))
    return 0 if doc["status"] == "pass" else 1
